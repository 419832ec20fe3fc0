// oneshot-bench: times the convolution kernels, trials against the PyTorch peer, the study's
// scaling over cores, a search step against the machine's sgemm rate, and memory; prints the
// tables and the issue's targets as PASS/MISS, and writes JSON and Markdown (see `--help`).
import Foundation
import InverseProblems
import Numerics
import Search
import Study

BLAS.reexecuteSingleThreaded()

let usage = """
  usage: oneshot-bench [--quick] [--skip-peer] [--only LIST] [--peer FILE] [--python EXE] [--root DIR]

  Runs the benchmarks of issue 6 and prints their tables and targets (PASS/MISS).
    --quick        fewer repetitions, a smaller kernel grid and a few epochs per trial (a check, not figures)
    --skip-peer    do not run the PyTorch peer
    --only LIST    comma-separated sections: kernels, peer, scaling, limit, memory, agreement (default: all)
    --peer FILE    the peer script (default $ONESHOT_PEER, else ROOT/../shared/peers/torch_reference.py)
    --python EXE   the interpreter for the peer (default $ONESHOT_PYTHON, else python3)
    --root DIR     the repository root (default: the nearest directory up from here with Package.swift)
  A full run (no --quick, no --only) writes ROOT/Benchmarks/results/latest.json and ROOT/BENCHMARKS.md;
  other runs write ROOT/Benchmarks/results/quick.{json,md} or partial.{json,md} and leave those alone.
  """

let sectionNames = ["kernels", "peer", "scaling", "limit", "memory", "agreement"]

struct Options {
  var quick = false
  var skipPeer = false
  var only: [String]? = nil
  var peer: String? = ProcessInfo.processInfo.environment["ONESHOT_PEER"]
  var python = ProcessInfo.processInfo.environment["ONESHOT_PYTHON"] ?? "python3"
  var root: String? = nil
}

func fail(_ message: String) -> Never {
  FileHandle.standardError.write(Data("oneshot-bench: \(message)\n".utf8))
  exit(64)
}

func parseOptions(_ args: [String]) -> Options {
  var o = Options()
  var i = 0
  func value(_ flag: String) -> String {
    i += 1
    guard i < args.count else { fail("\(flag) needs a value") }
    return args[i]
  }
  while i < args.count {
    switch args[i] {
    case "--quick": o.quick = true
    case "--skip-peer": o.skipPeer = true
    case "--only":
      let list = value("--only").split(separator: ",").map(String.init)
      if let bad = list.first(where: { !sectionNames.contains($0) }) {
        fail("--only: unknown section \(bad) (use \(sectionNames.joined(separator: ", ")))")
      }
      o.only = list
    case "--peer": o.peer = value("--peer")
    case "--python": o.python = value("--python")
    case "--root": o.root = value("--root")
    case "--help", "-h":
      print(usage)
      exit(0)
    default: fail("unknown option \(args[i]) (see --help)")
    }
    i += 1
  }
  return o
}

/// The nearest directory up from the working directory that holds `Package.swift`.
func repositoryRoot() -> URL {
  var dir = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
  while dir.path != "/" {
    if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) {
      return dir
    }
    dir.deleteLastPathComponent()
  }
  return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
}

/// What the figures came from.
func machine(root: URL) -> [(String, String)] {
  let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
  func field(_ name: String) -> String? {
    cpuinfo.split(separator: "\n").first { $0.hasPrefix(name) }.flatMap {
      $0.split(separator: ":", maxSplits: 1).last
    }
    .map { $0.trimmingCharacters(in: .whitespaces) }
  }
  let flags = Set((field("flags") ?? "").split(separator: " ").map(String.init))
  let simd = ["avx512f", "avx2", "fma", "avx"].filter { flags.contains($0) }.joined(separator: " ")
  let commit = runProcess("/usr/bin/env", ["git", "-C", root.path, "rev-parse", "--short", "HEAD"])
  let dirty = runProcess(
    "/usr/bin/env", ["git", "-C", root.path, "status", "--porcelain", "--untracked-files=no"])
  let memTotal = ((try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8)) ?? "").split(
    separator: "\n"
  )
  .first { $0.hasPrefix("MemTotal:") }.map { $0.dropFirst(9).trimmingCharacters(in: .whitespaces) }
  let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ")
    .prefix(3)
    .joined(separator: " ")
  let f = ISO8601DateFormatter()
  return [
    ("date", f.string(from: Date())),
    ("nproc", "\(ProcessInfo.processInfo.activeProcessorCount)"),
    ("cpu", field("model name") ?? "unknown"),
    ("cpu_mhz", field("cpu MHz") ?? "unknown"),
    ("simd", simd.isEmpty ? "none listed" : simd),
    ("memory", memTotal ?? "unknown"),
    ("load_average_at_start", load ?? "unknown"),
    ("openblas_config", BLAS.configuration),
    ("openblas_core", BLAS.coreName),
    (
      "blas_threads_per_measurement",
      {
        BLAS.setThreads(1); return "\(BLAS.threads)"
      }()
    ),  // as each section sets it
    ("os", ProcessInfo.processInfo.operatingSystemVersionString),
    (
      "commit",
      (commit?.status == 0
        ? commit!.out.trimmingCharacters(in: .whitespacesAndNewlines) : "unknown")
        + ((dirty?.status == 0 && !(dirty!.out.isEmpty)) ? " (with uncommitted changes)" : "")
    ),
  ]
}

// MARK: the run

var arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "--child" {  // the memory benchmark's child processes, and exports
  switch arguments.dropFirst().first {
  case "memory-trial": memoryTrialChild(quick: arguments.contains("--quick"))
  case "export-search":  // the agreement section's inputs, for peer_replay.py by hand
    guard arguments.count >= 4, let problem = Problem(rawValue: arguments[3]) else {
      fail("usage: oneshot-bench --child export-search DIR blur|downsample [EPOCHS]")
    }
    let epochs = arguments.count > 4 ? Int(arguments[4]) ?? 10 : 10
    let dir = URL(fileURLWithPath: arguments[2])
    do {
      try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
      try exportSearch(problem: problem, order: .first, ops: Op.allCases, epochs: epochs, into: dir)
    } catch { fail("export-search: \(error)") }
  case "memory-growth":
    let steps = arguments.firstIndex(of: "--steps").flatMap { Int(arguments[$0 + 1]) } ?? 2000
    memoryGrowthChild(steps: steps)
  default: fail("unknown child \(arguments.dropFirst().first ?? "")")
  }
  exit(0)
}
let options = parseOptions(arguments)
let root = options.root.map { URL(fileURLWithPath: $0) } ?? repositoryRoot()
let peerScript =
  options.peer
  ?? root.appendingPathComponent("../shared/peers/torch_reference.py").standardizedFileURL.path
let peer = options.skipPeer ? nil : Peer(python: options.python, script: peerScript)
let wanted = options.only ?? sectionNames
let command = "oneshot-bench" + (arguments.isEmpty ? "" : " " + arguments.joined(separator: " "))
let host = machine(root: root)

print(
  "oneshot-bench\(options.quick ? " --quick (reduced repetitions and epochs: a check, not figures)" : "")"
)
for (k, v) in host { print("  \(k): \(v)") }

var sections: [Section] = []
let started = now()
for name in wanted {
  let t0 = now()
  let section: Section
  switch name {
  case "kernels": section = kernelBenchmark(quick: options.quick)
  case "peer": section = peerBenchmark(quick: options.quick, peer: peer)
  case "scaling": section = scalingBenchmark(quick: options.quick)
  case "limit": section = limitBenchmark(quick: options.quick)
  case "agreement": section = agreementBenchmark(quick: options.quick, peer: peer, root: root)
  default: section = memoryBenchmark(quick: options.quick)
  }
  print(section.text, terminator: "")
  print("  (\(Format.time(now() - t0)))")
  sections.append(section)
}
let targets = sections.flatMap(\.targets)
print("\n== Targets (issue 6; measured in this run, never adjusted) ==")
for t in targets { print(t.line) }
print("total \(Format.time(now() - started))")

// MARK: the files

let full = !options.quick && options.only == nil
let stem = full ? "latest" : (options.quick ? "quick" : "partial")
let resultsDir = root.appendingPathComponent("Benchmarks/results")
let jsonURL = resultsDir.appendingPathComponent("\(stem).json")
let mdURL =
  full
  ? root.appendingPathComponent("BENCHMARKS.md") : resultsDir.appendingPathComponent("\(stem).md")
let document: JSON = .object(
  [
    ("mode", .string(options.quick ? "quick" : "full")), ("command", .string(command)),
    ("machine", .object(host.map { ($0.0, .string($0.1)) })),
    ("seconds", .num(now() - started)),
  ] + sections.map { ($0.key, $0.json) } + [("targets", .array(targets.map(\.json)))])
var md = "# Benchmarks\n\n"
if !full {
  md +=
    "**Mode: \(options.quick ? "quick" : "partial") — reduced repetitions and epochs; a check that the "
  md += "benchmark runs, not the figures.**\n\n"
}
md +=
  "Produced by `make bench` (`swift build -c release && .build/release/oneshot-bench`); this run: `\(command)`, "
md += "taking \(Format.time(now() - started)). Raw figures with every repetition: "
md += "[`Benchmarks/results/\(stem).json`](\(full ? "Benchmarks/results/" : "")\(stem).json).\n\n"
md += "## Machine\n\n| | |\n|---|---|\n" + host.map { "| \($0.0) | \($0.1) |\n" }.joined() + "\n"
md +=
  "## Targets (issue 6)\n\n"
  + targets.map {
    "- **\($0.pass.map { $0 ? "PASS" : "MISS" } ?? "N/A")** \($0.name): \($0.measured)\n"
  }.joined() + "\n"
md += sections.map(\.markdown).joined()
do {
  try FileManager.default.createDirectory(at: resultsDir, withIntermediateDirectories: true)
  try (document.pretty + "\n").write(to: jsonURL, atomically: true, encoding: .utf8)
  try md.write(to: mdURL, atomically: true, encoding: .utf8)
  print("wrote \(jsonURL.path) and \(mdURL.path)")
} catch {
  FileHandle.standardError.write(Data("oneshot-bench: cannot write the results: \(error)\n".utf8))
  exit(73)
}
