#!/usr/bin/env bash
# End-to-end test of `oneshot slurm` against a real Slurm: starts a single-node cluster on
# localhost in a scratch folder (as ../shared/SLURM.md found to work: no systemd, no munge, every
# file in the scratch folder), runs a small study through it with 3 shards, and checks
#   1. the merged results equal a local `oneshot study` run of the same flags,
#   2. a failing array task keeps the merge job from running,
#   3. resubmitting the failed task and the merge, as the README says, completes the study,
# plus the two cases that need no cluster (--dry-run, no sbatch on the PATH).
# Prints PASS/FAIL per check and exits non-zero if any failed. The daemons are stopped by their
# pid files on every exit path. KEEP_SCRATCH=1 keeps the scratch folder for a post-mortem;
# CONFIG=release tests a release build (default: the debug build `make test` leaves behind).
set -euo pipefail
cd "$(dirname "$0")/.."

CONFIG=${CONFIG:-debug}
WAIT_SECONDS=${WAIT_SECONDS:-300}
FLAGS=(--methods darts-good,grad-only,nets-only --problems blur --trials 3 --search-epochs 1
  --retrain-epochs 1 --train-size 64 --val-size 64 --test-size 64)

say() { echo "slurm-test: $*"; }
failures=0
passes=0
pass() {
  echo "PASS  $1"
  passes=$((passes + 1))
}
fail() {
  echo "FAIL  $1${2:+: $2}"
  failures=$((failures + 1))
}

# --- Packages: Slurm's daemons and clients, and python3 for comparing JSON records. ---------
missing=()
for cmd in slurmctld:slurmctld slurmd:slurmd sbatch:slurm-client python3:python3; do
  command -v "${cmd%%:*}" >/dev/null 2>&1 || missing+=("${cmd#*:}")
done
if ((${#missing[@]})); then
  say "installing ${missing[*]} with apt-get"
  SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
  # A clean machine may have no package lists yet; a failed install is worth one retry after an update.
  if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

# --- Build oneshot. ---------------------------------------------------------------------------
say "building oneshot ($CONFIG)"
swift build -c "$CONFIG" --product oneshot 2>&1 | grep -vE "^warning: .*(should be located under|custom sources path)" | tail -3
ONESHOT="$(swift build -c "$CONFIG" --show-bin-path)/oneshot"
[ -x "$ONESHOT" ] || { say "no oneshot binary at $ONESHOT"; exit 1; }

# --- The cluster: configuration, state and logs in a scratch folder. ----------------------
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/oneshot-slurm-test.XXXXXX")
stop_cluster() {
  local pidfile pid
  for pidfile in "$SCRATCH/slurmd.pid" "$SCRATCH/slurmctld.pid"; do
    [ -s "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    kill -TERM "$pid" 2>/dev/null || continue
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && say "daemon $pid from $pidfile did not stop within 5 s"
  done
  if [ "${KEEP_SCRATCH:-0}" = 1 ]; then say "kept $SCRATCH"; else rm -rf "$SCRATCH"; fi
}
trap stop_cluster EXIT
trap 'exit 130' INT TERM  # so that the EXIT trap runs on Ctrl-C and kill too

# Two free loopback ports for the controller and the node daemon.
read -r CTLD_PORT SLURMD_PORT < <(python3 -c '
import socket
ss = [socket.socket() for _ in range(2)]
for s in ss: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])')
CPUS=$(nproc)
# The node must not claim more memory than slurmd finds, or Slurm drains it.
MEMORY=$(slurmd -C | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')
MEMORY=$((MEMORY > 1024 ? 1024 : MEMORY / 2))
USER_NAME=$(id -un)
mkdir -p "$SCRATCH/state" "$SCRATCH/spool"
export SLURM_CONF="$SCRATCH/slurm.conf"
cat >"$SLURM_CONF" <<EOF
ClusterName=oneshot-test
SlurmctldHost=localhost
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=$USER_NAME
SlurmdUser=$USER_NAME
AuthType=auth/none
CredType=cred/none
StateSaveLocation=$SCRATCH/state
SlurmdSpoolDir=$SCRATCH/spool
SlurmctldPidFile=$SCRATCH/slurmctld.pid
SlurmdPidFile=$SCRATCH/slurmd.pid
SlurmctldLogFile=$SCRATCH/slurmctld.log
SlurmdLogFile=$SCRATCH/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MailProg=/bin/true
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0,bf_interval=1
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MinJobAge=900
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEMORY State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF

say "starting slurmctld and slurmd in $SCRATCH (ports $CTLD_PORT, $SLURMD_PORT)"
slurmctld -i
slurmd -N localhost
for _ in $(seq 60); do
  [ "$(sinfo -h -N -o %T 2>/dev/null)" = idle ] && break
  sleep 0.5
done
if [ "$(sinfo -h -N -o %T 2>/dev/null)" != idle ]; then
  fail "cluster starts" "the node is '$(sinfo -h -N -o %T 2>&1)', not idle; see $SCRATCH/*.log"
  KEEP_SCRATCH=1
  exit 1
fi
pass "cluster starts (single node, $CPUS CPUs)"

# --- Helpers. --------------------------------------------------------------------------------
# One line per job (or array task): "TASK STATE EXITCODE REASON"; TASK is - for a plain job.
job_lines() {
  scontrol -o show job "$1" 2>/dev/null | sed -E \
    's/.*ArrayTaskId=([0-9]+).*/\1 &/; /^[0-9]+ /!s/^/- /; s/^([^ ]+) .*JobState=([A-Z_]+) Reason=([^ ]+).*ExitCode=([0-9:]+).*/\1 \2 \4 \3/'
}
# Waits until no task of the jobs is pending or running any more.
wait_jobs() {
  local deadline=$((SECONDS + WAIT_SECONDS)) id
  while ((SECONDS < deadline)); do
    local busy=0
    for id in "$@"; do
      job_lines "$id" | grep -qE ' (PENDING|RUNNING|CONFIGURING|COMPLETING|SUSPENDED|REQUEUED) ' && busy=1
    done
    ((busy)) || return 0
    sleep 1
  done
  say "jobs $* still not finished after $WAIT_SECONDS s"
  return 1
}
# The records of results.jsonl without their timing, order-insensitive: equal iff same trials and numbers.
same_records() {
  python3 - "$1" "$2" <<'EOF'
import json, sys
def records(path):
    with open(path) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return sorted(json.dumps({k: v for k, v in r.items() if k != "seconds"}, sort_keys=True) for r in rows)
a, b = records(sys.argv[1]), records(sys.argv[2])
if not a or a != b:
    only_a, only_b = sorted(set(a) - set(b)), sorted(set(b) - set(a))
    first = (only_a or only_b or ["(duplicates)"])[0]
    print(f"{len(a)} records vs {len(b)}; {len(only_a)} only in the first, {len(only_b)} only in the second,"
          f" e.g. {first[:160]}…")
    sys.exit(1)
print(f"{len(a)} records equal")
EOF
}
# Submits the study with 3 shards into $1 (more flags may follow), shows what oneshot printed,
# and sets ARRAY and MERGE to the job ids it reported; fails if it did not report both.
submit_study() {
  local out=$1 log
  shift
  log=$(mktemp "$SCRATCH/submit.XXXXXX")
  "$ONESHOT" slurm "${FLAGS[@]}" --shards 3 --out "$out" "$@" >"$log" 2>&1 || true
  sed 's/^/  | /' "$log"
  ARRAY=$(sed -n 's/^submitted: array job \([0-9]*\) .*/\1/p' "$log")
  MERGE=$(sed -n 's/.* and merge job \([0-9]*\) .*/\1/p' "$log")
  [ -n "$ARRAY" ] && [ -n "$MERGE" ]
}

# The local reference run, with the same flags.
say "running the study locally"
"$ONESHOT" study "${FLAGS[@]}" --out "$SCRATCH/local" --quiet --jobs "$CPUS" >/dev/null
trials=$(wc -l <"$SCRATCH/local/results.jsonl")

# --- Check 0: what needs no cluster. -----------------------------------------------------------
out="$SCRATCH/dry run"
if "$ONESHOT" slurm "${FLAGS[@]}" --shards 3 --out "$out" --dry-run >"$SCRATCH/dry.txt" &&
  grep -q -- "--array=0-2" "$SCRATCH/dry.txt" && grep -q -- "--dependency=afterok:" "$SCRATCH/dry.txt" &&
  [ ! -e "$out" ] && [ -z "$(squeue -h)" ]; then
  pass "--dry-run prints the scripts and sbatch lines, writes and submits nothing"
else
  fail "--dry-run prints the scripts and sbatch lines, writes and submits nothing"
fi
set +e
PATH=/nonexistent "$ONESHOT" slurm "${FLAGS[@]}" --shards 3 --out "$out" >/dev/null 2>"$SCRATCH/nosbatch.txt"
rc=$?
set -e
if [ "$rc" != 0 ] && [ "$(wc -l <"$SCRATCH/nosbatch.txt")" = 1 ] && grep -q sbatch "$SCRATCH/nosbatch.txt" && [ ! -e "$out" ]; then
  pass "without sbatch on the PATH: one line, exit $rc ($(cat "$SCRATCH/nosbatch.txt"))"
else
  fail "without sbatch on the PATH: one line and a non-zero exit" "exit $rc, $(cat "$SCRATCH/nosbatch.txt")"
fi

# --- Check 1: 3 shards through Slurm, merged, equal the local run. --------------------------------
# The folder name has a space so the scripts' quoting meets a real sbatch and bash.
study="$SCRATCH/study one"
say "submitting the study with 3 shards"
check="3 shards through Slurm merge into the records of a local run"
submitted=0
submit_study "$study" --time 10 && submitted=1
A=$ARRAY M=$MERGE
if ((!submitted)); then
  fail "$check" "oneshot slurm did not submit both jobs"
elif ! wait_jobs "$A" "$M"; then
  fail "$check" "the jobs did not finish"
else
  tasks=$(job_lines "$A")
  merge=$(job_lines "$M")
  if [ "$(grep -c ' COMPLETED 0:0 ' <<<"$tasks")" != 3 ]; then
    fail "$check" "array tasks: $(tr '\n' ';' <<<"$tasks")"
  elif ! grep -q ' COMPLETED 0:0 ' <<<"$merge"; then
    fail "$check" "merge job: $merge; log: $(cat "$study"/logs/merge-"$M".out 2>/dev/null)"
  elif ! [ -s "$study/merged/report.md" ]; then
    fail "$check" "no report at $study/merged/report.md"
  # Slurm's state alone is not trusted (SLURM.md): the outputs themselves are compared.
  elif result=$(same_records "$study/merged/results.jsonl" "$SCRATCH/local/results.jsonl"); then
    pass "$check ($result, tasks $A, merge $M)"
  else
    fail "$check" "$result"
  fi
fi

# --- Check 2: a failing task keeps the merge from running. --------------------------------------
# Shard 1's folder is taken by a study with other settings (another seed) after submission, so
# its task's --resume refuses with a one-line error, just as a task given a bad flag would. The
# partition is held down while that happens so no task starts before it.
study2="$SCRATCH/study two"
check="a failing task keeps the merge job from running"
scontrol update PartitionName=test State=DOWN
submitted=0
submit_study "$study2" && submitted=1
A2=$ARRAY M2=$MERGE
"$ONESHOT" study "${FLAGS[@]}" --seed 7 --shard 1/3 --out "$study2/shards/1" --quiet --jobs 1 >/dev/null
scontrol update PartitionName=test State=UP
if ((!submitted)); then
  fail "$check" "oneshot slurm did not submit both jobs"
elif ! wait_jobs "$A2" "$M2"; then
  fail "$check" "the jobs did not finish"
else
  tasks=$(job_lines "$A2")
  merge=$(job_lines "$M2")
  task1=$(grep '^1 ' <<<"$tasks" || true)
  error=$(grep -h '^oneshot:' "$study2"/logs/study-"$A2"_1.out 2>/dev/null || true)
  if ! grep -qE '^1 FAILED [1-9]' <<<"$tasks"; then
    fail "$check" "task 1 did not fail: $task1"
  elif [ "$(grep -cE '^(0|2) COMPLETED 0:0' <<<"$tasks")" != 2 ]; then
    fail "$check" "the other tasks did not complete: $(tr '\n' ';' <<<"$tasks")"
  elif ! grep -q ' CANCELLED .* DependencyNeverSatisfied' <<<"$merge"; then
    fail "$check" "merge job: $merge"
  elif [ -e "$study2/merged" ]; then
    fail "$check" "merge outputs exist although the merge should not have run"
  else
    pass "$check (task 1: $task1 — $error; merge $M2: $(cut -d' ' -f2,4 <<<"$merge"))"
  fi
fi

# --- Check 3: the README's recovery: fix, resubmit the failed task, then the merge. ------------
check="resubmitting the failed task and the merge completes the study"
rm -rf "$study2/shards/1"
A3=$(sbatch --parsable --array=1 "$study2/study.sbatch")
M3=$(sbatch --parsable --dependency=afterok:"$A3" --kill-on-invalid-dep=yes "$study2/merge.sbatch")
if ! wait_jobs "$A3" "$M3"; then
  fail "$check" "the jobs did not finish"
elif ! job_lines "$M3" | grep -q ' COMPLETED 0:0 '; then
  fail "$check" "merge job: $(job_lines "$M3"); task: $(job_lines "$A3")"
elif result=$(same_records "$study2/merged/results.jsonl" "$SCRATCH/local/results.jsonl"); then
  pass "$check ($result)"
else
  fail "$check" "$result"
fi

# --- Check 4: a sweep through Slurm equals the same sweep run locally. ---------------------------
check="a sweep through Slurm merges into the records of a local sweep"
GRID=(--grid alpha-lr=0.001,0.01)
"$ONESHOT" sweep "${FLAGS[@]}" "${GRID[@]}" --out "$SCRATCH/local-sweep" --quiet --jobs "$CPUS" >/dev/null
sweepdir="$SCRATCH/sweep"
log=$(mktemp "$SCRATCH/submit.XXXXXX")
"$ONESHOT" slurm "${FLAGS[@]}" "${GRID[@]}" --shards 2 --out "$sweepdir" >"$log" 2>&1 || true
A4=$(sed -n 's/^submitted: array job \([0-9]*\) .*/\1/p' "$log")
M4=$(sed -n 's/.* and merge job \([0-9]*\) .*/\1/p' "$log")
if [ -z "$A4" ] || [ -z "$M4" ]; then
  fail "$check" "oneshot slurm did not submit both jobs: $(tr '\n' ';' <"$log")"
elif ! wait_jobs "$A4" "$M4"; then
  fail "$check" "the jobs did not finish"
elif ! grep -q ' sweep ' "$sweepdir/study.sbatch"; then
  fail "$check" "the array script does not run oneshot sweep"
elif result=$(same_records "$sweepdir/merged/results.jsonl" "$SCRATCH/local-sweep/results.jsonl"); then
  pass "$check ($result)"
else
  fail "$check" "$result; merge: $(job_lines "$M4")"
fi

if ((failures)); then
  KEEP_SCRATCH=1
  say "FAIL: $failures check(s) failed ($trials trials per study; logs and state kept in $SCRATCH)"
  echo "slurm-test: $passes passed, $failures failed"
  exit 1
fi
say "PASS: all checks passed ($trials trials per study)"
echo "slurm-test: $passes passed, $failures failed"
