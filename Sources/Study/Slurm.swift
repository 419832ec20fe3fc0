import Foundation

/// A sharded study laid out for Slurm: an array job whose task K runs shard K/N of the study
/// into its own folder, and a merge job that runs once every task has succeeded.
///
/// Everything here is paths and script text, so it can be tested without a cluster; the
/// command line submits the scripts. All paths in the scripts are absolute, because a batch
/// job may start in another working directory (or on another machine sharing the file system).
public struct SlurmStudy: Sendable, Equatable {
  /// Absolute path of the `oneshot` executable the jobs run.
  public var executable: String
  /// The study's own flags (`--preset`, `--config`, configuration keys), passed to every task
  /// unchanged; the per-task flags (`--shard`, `--out`, `--resume`, `--jobs`, `--quiet`) are added.
  public var studyArguments: [String]
  /// Array tasks, one shard each.
  public var shards: Int
  /// Absolute path of the folder that receives scripts, logs, shards and the merged study.
  public var directory: String
  /// `sbatch --partition` (nil: the cluster's default partition).
  public var partition: String?
  /// `sbatch --time` of every job (nil: the partition's default limit).
  public var time: String?
  /// CPUs per array task; the task runs that many trials in parallel (`--jobs`).
  public var cpusPerTask: Int
  /// `study`, or `sweep` for a grid: the command every task runs on its shard.
  public var command: String

  /// A layout in `directory` (a trailing slash is dropped so the paths read cleanly).
  public init(
    executable: String, studyArguments: [String], shards: Int, directory: String,
    partition: String? = nil, time: String? = nil, cpusPerTask: Int = 1, command: String = "study"
  ) {
    self.command = command
    self.executable = executable
    self.studyArguments = studyArguments
    self.shards = shards
    var dir = directory
    while dir.count > 1 && dir.hasSuffix("/") { dir.removeLast() }
    self.directory = dir
    self.partition = partition
    self.time = time
    self.cpusPerTask = cpusPerTask
  }

  /// The array job's script.
  public var studyScriptPath: String { path("study.sbatch") }
  /// The merge job's script.
  public var mergeScriptPath: String { path("merge.sbatch") }
  /// Where Slurm writes every job's output (`study-JOB_TASK.out`, `merge-JOB.out`).
  public var logsDirectory: String { path("logs") }
  /// The parent of the shard folders `0 … N-1`.
  public var shardsDirectory: String { path("shards") }
  /// The folder of shard `k`: a complete `oneshot study` directory for its trials.
  public func shardDirectory(_ k: Int) -> String { shardsDirectory + "/\(k)" }
  /// The merged study: `config.json`, `results.jsonl`, `summary.json`.
  public var mergedDirectory: String { path("merged") }
  /// The merged study's report (`report.md`, its figures beside it), written by `oneshot merge`.
  public var reportPath: String { ResultsStore(URL(fileURLWithPath: mergedDirectory)).reportURL.path }

  private func path(_ name: String) -> String { (directory == "/" ? "" : directory) + "/" + name }

  /// Refuses settings that Slurm would reject or that would break the generated scripts.
  public func validate() throws(StudyError) {
    func need(_ ok: Bool, _ message: String) throws(StudyError) {
      if !ok { throw StudyError(message, exitCode: 64) }
    }
    try need(shards >= 1, "--shards: must be at least 1, got \(shards)")
    try need(cpusPerTask >= 1, "--cpus-per-task: must be at least 1, got \(cpusPerTask)")
    try need(executable.hasPrefix("/"), "the oneshot executable path is not absolute: \(executable)")
    try need(directory.hasPrefix("/"), "--out: the directory path is not absolute: \(directory)")
    // A newline would end a script line (or an #SBATCH directive) in the middle of a path.
    for (what, text) in [("--out", directory), ("the oneshot executable path", executable)] {
      try need(!text.contains("\n") && !text.contains("\r"), "\(what) contains a line break")
    }
    for a in studyArguments {
      try need(!a.contains("\n") && !a.contains("\r"), "a study flag contains a line break")
    }
    if let partition {
      // #SBATCH lines are parsed by sbatch, not by the shell: keep the names plain.
      try need(
        !partition.isEmpty && partition.allSatisfy { $0.isLetter || $0.isNumber || "_-.,".contains($0) },
        "--partition: expected a partition name (letters, digits, _ - . and commas), got '\(partition)'")
    }
    if let time {
      try need(
        !time.isEmpty
          && (time.allSatisfy { $0.isNumber || $0 == ":" || $0 == "-" } || ["UNLIMITED", "INFINITE"].contains(time)),
        "--time: expected a Slurm time limit such as 30, 2:00:00 or 1-12:00:00, got '\(time)'")
    }
  }

  /// The `#SBATCH` lines every job shares: partition and time limit.
  private var sharedDirectives: [String] {
    var lines: [String] = []
    if let partition { lines.append("#SBATCH --partition=\(partition)") }
    if let time { lines.append("#SBATCH --time=\(time)") }
    return lines
  }

  /// `#SBATCH --output` for a log in `logsDirectory`. sbatch reads the directive itself, not
  /// the shell: double quotes group words, a backslash escapes the next character, an
  /// unescaped `#` starts a comment even inside quotes, and `%` starts one of its filename
  /// patterns unless doubled.
  private func outputDirective(_ pattern: String) -> String {
    var escaped = ""
    for c in logsDirectory + "/" {
      switch c {
      case "\\", "\"", "#": escaped += "\\\(c)"
      case "%": escaped += "%%"
      default: escaped.append(c)
      }
    }
    return "#SBATCH --output=\"\(escaped)\(pattern)\""
  }

  /// The array job: task K runs shard K/N into `shardDirectory(K)`. `--resume` makes a first
  /// run, a requeued run and a resubmitted run the same command: each does only what is missing.
  public var studyScript: String {
    let command =
      [shellQuoted(executable), command] + studyArguments.map(shellQuoted)
      + [
        "--shard", "\"$shard/\(shards)\"", "--resume", "--out", shellQuoted(shardsDirectory) + "/\"$shard\"",
        "--quiet", "--jobs", "\(cpusPerTask)",
      ]
    return
      ([
        "#!/bin/bash",
        "# Written by `oneshot slurm`: array task K runs shard K/\(shards) of the study into",
        "# \(shardsDirectory)/K. To resubmit failed tasks (their finished trials are kept):",
        "#   sbatch --parsable --array=K[,K...] \(shellQuoted(studyScriptPath))",
        "#   sbatch --dependency=afterok:<that job id> --kill-on-invalid-dep=yes \(shellQuoted(mergeScriptPath))",
        "#SBATCH --job-name=oneshot-study",
        "#SBATCH --array=\(arrayRange)",
        "#SBATCH --cpus-per-task=\(cpusPerTask)",
        outputDirective("study-%A_%a.out"),
      ] + sharedDirectives + [
        "set -euo pipefail",
        "shard=\"${SLURM_ARRAY_TASK_ID:?submit this script with sbatch --array}\"",
        "exec " + command.joined(separator: " "),
      ]).joined(separator: "\n") + "\n"
  }

  /// The merge job: combines the shard folders (all of them, named one by one, so a missing
  /// shard fails the merge instead of silently shrinking the study); the merge writes the
  /// summary and the report of the whole study.
  public var mergeScript: String {
    let inputs = (0..<shards).map { shellQuoted(shardDirectory($0)) }
    return
      ([
        "#!/bin/bash",
        "# Written by `oneshot slurm`: merges the \(shards) shards into \(mergedDirectory)",
        "# (results.jsonl, summary.json, report.md and its figures).",
        "#SBATCH --job-name=oneshot-merge",
        "#SBATCH --cpus-per-task=1",
        outputDirective("merge-%j.out"),
      ] + sharedDirectives + [
        "set -euo pipefail",
        "\(shellQuoted(executable)) merge \(inputs.joined(separator: " ")) --out \(shellQuoted(mergedDirectory)) --force",
      ]).joined(separator: "\n") + "\n"
  }

  /// `0-(N-1)`, the array's task ids.
  public var arrayRange: String { "0-\(shards - 1)" }

  /// The `sbatch` command line that submits the array (prints the job id alone).
  public var arraySubmission: [String] {
    ["sbatch", "--parsable", "--array=\(arrayRange)", studyScriptPath]
  }

  /// The `sbatch` command line that submits the merge to run after every task of `arrayJob`
  /// succeeded. If a task fails the dependency can never be met, and Slurm cancels the merge
  /// rather than leave it pending forever.
  public func mergeSubmission(afterArrayJob arrayJob: String) -> [String] {
    ["sbatch", "--parsable", "--dependency=afterok:\(arrayJob)", "--kill-on-invalid-dep=yes", mergeScriptPath]
  }

  /// Checks that `directory` is new, empty, or an earlier submission of the same study with the
  /// same shard count, so that resubmitting continues it and nothing else gets mixed in.
  public func checkDirectory(configHash: String) throws(StudyError) {
    let fm = FileManager.default
    var isDir: ObjCBool = false
    guard fm.fileExists(atPath: directory, isDirectory: &isDir) else { return }
    guard isDir.boolValue else { throw StudyError("\(directory) exists and is not a directory") }
    let ours: Set<String> = [
      "study.sbatch", "merge.sbatch", "logs", "shards", "merged",
    ]
    let entries = (try? fm.contentsOfDirectory(atPath: directory)) ?? []
    // Temporary files of an interrupted `write()` are ours too.
    let foreign = entries.filter {
      !ours.contains($0) && !$0.hasPrefix(".study.sbatch.tmp-") && !$0.hasPrefix(".merge.sbatch.tmp-")
    }
    .sorted()
    if !foreign.isEmpty {
      throw StudyError(
        "\(directory) holds files that `oneshot slurm` did not write (\(foreign.prefix(3).joined(separator: ", "))); choose another --out"
      )
    }
    let shardNames = (try? fm.contentsOfDirectory(atPath: shardsDirectory)) ?? []
    for name in shardNames.sorted() {
      let dir = shardsDirectory + "/" + name
      guard let k = Int(name), k >= 0, k < shards else {
        throw StudyError("\(dir) is not one of the \(shards) shards; was \(directory) submitted with another --shards?")
      }
      guard let text = fm.contents(atPath: dir + "/config.json") else { continue }  // never started
      guard let provenance = try? JSON.parse(String(decoding: text, as: UTF8.self)) else {
        throw StudyError("\(dir)/config.json is not valid JSON", exitCode: 65)
      }
      if provenance["config_hash"]?.string != configHash {
        throw StudyError("\(dir) holds a study with other settings; choose another --out")
      }
      if let shard = provenance["shard"]?.string, shard != "\(k)/\(shards)" {
        throw StudyError(
          "\(dir) holds shard \(shard), not \(k)/\(shards): submit with the same --shards or choose another --out")
      }
    }
  }

  /// Creates the folders the jobs need (Slurm does not create the log folder) and writes both
  /// scripts, each through a temporary file and a rename.
  public func write() throws(StudyError) {
    let fm = FileManager.default
    do {
      for dir in [directory, logsDirectory, shardsDirectory] {
        try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
      }
    } catch {
      throw StudyError("cannot create \(directory): \(error.localizedDescription)")
    }
    let store = ResultsStore(URL(fileURLWithPath: directory))
    do throws(StoreError) {
      try store.writeAtomically("study.sbatch", studyScript)
      try store.writeAtomically("merge.sbatch", mergeScript)
    } catch {
      throw StudyError(error)
    }
    for script in [studyScriptPath, mergeScriptPath] { chmod(script, 0o755) }
  }
}

/// `word` as one shell word: unchanged when it is plain, otherwise in single quotes (a quote
/// inside becomes `'\''`), so paths with spaces or `$` reach the program as they are.
public func shellQuoted(_ word: String) -> String {
  let plain =
    !word.isEmpty
    && word.unicodeScalars.allSatisfy { s in
      s.isASCII && (CharacterSet.alphanumerics.contains(s) || "/._-,:=+@%".unicodeScalars.contains(s))
    }
  return plain ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
}

/// The job id in `sbatch --parsable` output (`id` or `id;cluster`), or nil.
public func parsableJobID(_ output: String) -> String? {
  let line = output.split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
  let id = line.split(separator: ";").first.map(String.init) ?? ""
  return !id.isEmpty && id.allSatisfy(\.isNumber) ? id : nil
}
