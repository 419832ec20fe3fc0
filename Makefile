# oneshot — `make run` sets up a fresh Debian machine (with the Swift toolchain), builds and runs
# the quick study; `make test` runs every test.
SWIFT ?= swift
JOBS ?= $(shell nproc)
OUT ?= results/quick
BLAS_HEADER := $(shell pkg-config --variable=includedir openblas 2>/dev/null)

.PHONY: deps build run test bench bench-quick lint clean slurm-test

# Installs OpenBLAS, LAPACKE and pkg-config from apt when their headers are missing (and says so).
deps:
	@if pkg-config --exists openblas 2>/dev/null && [ -f /usr/include/lapacke.h ]; then \
	  echo "deps: OpenBLAS and LAPACKE are installed"; \
	else \
	  echo "deps: installing libopenblas-dev liblapacke-dev pkg-config with apt-get"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends \
	    libopenblas-dev liblapacke-dev pkg-config >/dev/null && echo "deps: installed"; \
	fi

build: deps
	$(SWIFT) build -c release --product oneshot

# The main job: the quick preset's full Table 1 (10 rows) on all cores.
run: build
	.build/release/oneshot study --preset quick --jobs $(JOBS) --out $(OUT) --force

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-swift-testing

# Every benchmark of issue 6 (several minutes; run it on an idle machine): prints the tables and
# targets, writes Benchmarks/results/latest.json and BENCHMARKS.md. BENCH_FLAGS adds options
# (e.g. --skip-peer); see `.build/release/oneshot-bench --help`.
bench: deps
	$(SWIFT) build -c release
	.build/release/oneshot-bench $(BENCH_FLAGS)

# The same with few repetitions and epochs (a check that everything runs, not figures); writes
# Benchmarks/results/quick.json and quick.md only.
bench-quick: deps
	$(SWIFT) build -c release --product oneshot-bench
	.build/release/oneshot-bench --quick $(BENCH_FLAGS)

# A real single-node Slurm on localhost (installed from apt if missing) runs a 3-shard study
# through `oneshot slurm` and compares it with a local run; see scripts/slurm-test.sh.
slurm-test: deps
	scripts/slurm-test.sh

lint:  # .swift-format holds the rules
	$(SWIFT) format lint --strict -r Sources Tests Benchmarks

clean:
	rm -rf .build results
