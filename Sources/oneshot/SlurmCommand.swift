import Foundation
import Study

/// Flags of `oneshot study` that each array task sets itself; given to `slurm` they are refused
/// with the flag to use instead.
let perTaskFlags: [(name: String, instead: String)] = [
  ("jobs", "each task runs --cpus-per-task trials in parallel"),
  ("shard", "task K runs shard K/N; set --shards N"),
  ("resume", "every task resumes its shard folder already"),
  ("force", "every task resumes its shard folder; use a new --out to start over"),
  ("quiet", "tasks never show a live status line"),
]

let slurmOptions: [Option] =
  sweepOptions.filter { ["preset", "config", "grid"].contains($0.name) } + [
    Option(name: "shards", value: "N", help: "array tasks, each running one shard of the study (required)"),
    Option(name: "out", value: "DIR", help: "folder for the scripts, logs/, shards/K and merged/ (required)"),
    Option(name: "partition", value: "P", help: "sbatch --partition (default: the cluster's default)"),
    Option(name: "time", value: "T", help: "sbatch --time of each job, e.g. 2:00:00 (default: the partition's)"),
    Option(name: "cpus-per-task", value: "C", help: "CPUs per task, which runs C trials in parallel (default: 1)"),
    Option(name: "dry-run", value: nil, help: "print the scripts and sbatch lines; write and submit nothing"),
    Option(name: "help", value: nil, help: "show this help"),
  ]
  // Parsed only so they can be refused with the flag to use instead; an empty help hides them.
  + perTaskFlags.map { Option(name: $0.name, value: ["jobs", "shard"].contains($0.name) ? "X" : nil, help: "") }

func slurmCommand(_ raw: [String]) throws {
  let args = try Arguments(raw, options: slurmOptions, configKeys: true)
  if args.has("help") {
    return printHelp(
      """
      oneshot slurm [study or sweep settings] --shards N --out DIR [--partition P] [--time T] [--cpus-per-task C] [--dry-run]

      Writes DIR/study.sbatch (an array of N tasks; task K runs `oneshot study … --shard K/N --resume`,
      or `oneshot sweep …` when --grid or --preset sensitivity is given, into DIR/shards/K) and DIR/merge.sbatch (merges the shards into DIR/merged, report.md
      included), submits the array and then the merge with --dependency=afterok on it, and prints
      the job ids. Exit code 69 when sbatch is missing or refuses a job.
      """, slurmOptions.filter { !$0.help.isEmpty }, config: true)
  }
  for flag in perTaskFlags where args.has(flag.name) || args.last(flag.name) != nil {
    throw UsageError("--\(flag.name) is not a slurm option: \(flag.instead)")
  }
  // Everything is checked before anything is written or submitted.
  let sweep = try resolveSweep(args)
  guard let shards = try args.int("shards", in: 1...1_000_000) else { throw UsageError("slurm needs --shards N") }
  guard let out = args.last("out") else { throw UsageError("slurm needs --out DIR") }
  let trials = sweep.plan.count
  if shards > trials {
    throw UsageError("--shards: \(shards) exceeds the study's \(trials) trials; some tasks would have nothing to do")
  }
  let slurm = SlurmStudy(
    executable: try runningExecutable(),
    studyArguments: studyArguments(args),
    shards: shards,
    directory: URL(fileURLWithPath: out).standardizedFileURL.path,
    partition: args.last("partition"),
    time: args.last("time"),
    cpusPerTask: try args.int("cpus-per-task", in: 1...4096) ?? 1,
    command: sweep.isGrid ? "sweep" : "study")
  try slurm.validate()
  try slurm.checkDirectory(configHash: sweep.hash)

  let arrayLine = slurm.arraySubmission
  let mergeLine = slurm.mergeSubmission(afterArrayJob: "ARRAY_JOB_ID")
  if args.has("dry-run") {
    print("# \(slurm.studyScriptPath)\n\(slurm.studyScript)")
    print("# \(slurm.mergeScriptPath)\n\(slurm.mergeScript)")
    print("# --dry-run: nothing was written or submitted; without it oneshot would run")
    print(arrayLine.map(shellQuoted).joined(separator: " "))
    print(mergeLine.map(shellQuoted).joined(separator: " "))
    return
  }
  guard let sbatch = findOnPath("sbatch") else {
    throw StudyError(
      "sbatch is not on the PATH; run this on a Slurm login node (or use --dry-run to see the scripts)", exitCode: 69)
  }
  try slurm.write()
  let arrayJob = try submit(sbatch, arrayLine.dropFirst(), what: "the study array")
  let mergeJob: String
  let mergeArguments = slurm.mergeSubmission(afterArrayJob: arrayJob)
  do throws(StudyError) {
    mergeJob = try submit(sbatch, mergeArguments.dropFirst(), what: "the merge job")
  } catch {
    // The array is queued regardless; say how to add the merge by hand.
    let manual = mergeArguments.map(shellQuoted).joined(separator: " ")
    throw StudyError(
      "\(error.description) (array job \(arrayJob) was submitted; submit the merge with: \(manual))",
      exitCode: error.exitCode)
  }
  print(
    """
    submitted: array job \(arrayJob) (\(shards) tasks, shards 0-\(shards - 1)) and merge job \(mergeJob) (runs after every task succeeded)
    follow:    squeue -j \(arrayJob),\(mergeJob)
    tasks:     scontrol show job \(arrayJob)   (state and exit code of each task)
    logs:      \(slurm.logsDirectory)/study-\(arrayJob)_K.out, \(slurm.logsDirectory)/merge-\(mergeJob).out
    results:   \(slurm.mergedDirectory)/results.jsonl and \(slurm.reportPath), written by job \(mergeJob)
    """)
}

/// The study flags as each task will see them: the preset, the config file (as an absolute
/// path, since a task may start elsewhere) and the configuration keys in the order given.
func studyArguments(_ args: Arguments) -> [String] {
  var out: [String] = []
  if let preset = args.last("preset") { out += ["--preset", preset] }
  if let config = args.last("config") { out += ["--config", URL(fileURLWithPath: config).standardizedFileURL.path] }
  for axis in args.all("grid") { out += ["--grid", axis] }
  for (key, value) in args.configAssignments { out += ["--\(key)", value] }
  return out
}

/// The absolute path of this executable, which the batch scripts call.
func runningExecutable() throws(StudyError) -> String {
  // /proc/self/exe is the file actually running, whatever PATH or a relative argv[0] said.
  if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"), path.hasPrefix("/") {
    return path
  }
  if let path = Bundle.main.executableURL?.standardizedFileURL.path, path.hasPrefix("/") { return path }
  throw StudyError("cannot find the path of the running oneshot executable", exitCode: 70)
}

/// The first executable `name` in the PATH, like the shell would find it.
func findOnPath(_ name: String) -> String? {
  let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
  return dirs.map { ($0.isEmpty ? "." : $0) + "/" + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
}

/// Runs `sbatch arguments` and returns the job id it printed; its error becomes one line.
func submit(_ sbatch: String, _ arguments: ArraySlice<String>, what: String) throws(StudyError) -> String {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: sbatch)
  process.arguments = Array(arguments)
  process.standardInput = FileHandle.nullDevice
  let stdout = Pipe()
  let stderr = Pipe()
  process.standardOutput = stdout
  process.standardError = stderr
  do { try process.run() } catch {
    throw StudyError("cannot run \(sbatch): \(error.localizedDescription)", exitCode: 69)
  }
  // sbatch prints a line or two, far below a pipe's buffer, so reading after the exit is safe.
  process.waitUntilExit()
  let output = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
  let errors = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    .split(whereSeparator: \.isNewline).joined(separator: "; ")
  guard process.terminationStatus == 0, let id = parsableJobID(output) else {
    throw StudyError(
      "sbatch refused \(what) (exit \(process.terminationStatus)): \(errors.isEmpty ? output.trimmingCharacters(in: .whitespacesAndNewlines) : errors)",
      exitCode: 69)
  }
  return id
}
