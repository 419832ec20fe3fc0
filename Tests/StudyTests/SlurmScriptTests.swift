import Foundation
import Study
import XCTest

/// The Slurm layout of a sharded study, checked as text and by running the scripts through
/// bash with a stand-in for the oneshot executable (no cluster needed).
final class SlurmScriptTests: XCTestCase {
  let flags = ["--preset", "quick", "--methods", "grad-only,nets-only", "--trials", "3"]

  func slurm(
    _ dir: String = "/data/study", shards: Int = 3, cpus: Int = 1, executable: String = "/opt/oneshot/bin/oneshot"
  )
    -> SlurmStudy
  {
    SlurmStudy(executable: executable, studyArguments: flags, shards: shards, directory: dir, cpusPerTask: cpus)
  }

  /// A scratch folder whose name needs quoting in every way a shell and sbatch care about.
  func scratch() throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "oneshot slurm 'q' $x #h %p \(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
    return dir.path
  }

  /// An executable that appends its arguments, one per line and a blank line after, to `calls`.
  func recorder(in dir: String) throws -> (executable: String, calls: String) {
    let exe = dir + "/fake one shot"
    let calls = dir + "/calls"
    try "#!/bin/sh\nprintf '%s\\n' \"$@\" '' >> \"$(dirname \"$0\")/calls\"\n".write(
      toFile: exe, atomically: true, encoding: .utf8)
    chmod(exe, 0o755)
    return (exe, calls)
  }

  /// Runs `script` with bash as Slurm would (environment and all), returning its exit status.
  func runBash(_ script: String, environment: [String: String] = [:]) throws -> Int32 {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/bash")
    p.arguments = [script]
    p.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    try p.run()
    p.waitUntilExit()
    return p.terminationStatus
  }

  func testTheArrayCoversTasksZeroToNMinusOne() {
    let s = slurm(shards: 4)
    XCTAssertEqual(s.arrayRange, "0-3")
    XCTAssertEqual(s.arraySubmission, ["sbatch", "--parsable", "--array=0-3", "/data/study/study.sbatch"])
    XCTAssertTrue(s.studyScript.contains("\n#SBATCH --array=0-3\n"))
  }

  func testTheMergeWaitsForEveryTaskAndIsCancelledIfOneFails() {
    XCTAssertEqual(
      slurm().mergeSubmission(afterArrayJob: "4711"),
      ["sbatch", "--parsable", "--dependency=afterok:4711", "--kill-on-invalid-dep=yes", "/data/study/merge.sbatch"])
  }

  func testEachTaskRunsItsShardWithResumeIntoItsOwnFolder() {
    let script = slurm(shards: 3, cpus: 2).studyScript
    let command = script.split(separator: "\n").last { $0.hasPrefix("exec ") }.map(String.init) ?? ""
    XCTAssertEqual(
      command,
      "exec /opt/oneshot/bin/oneshot study --preset quick --methods grad-only,nets-only --trials 3"
        + " --shard \"$shard/3\" --resume --out /data/study/shards/\"$shard\" --quiet --jobs 2")
    XCTAssertTrue(script.contains("\n#SBATCH --cpus-per-task=2\n"))
    XCTAssertTrue(script.contains("shard=\"${SLURM_ARRAY_TASK_ID:?"))
  }

  func testTheMergeNamesEveryShardAndWritesIntoMerged() {
    let s = slurm(shards: 2)
    XCTAssertTrue(
      s.mergeScript.hasSuffix(
        "\n/opt/oneshot/bin/oneshot merge /data/study/shards/0 /data/study/shards/1 --out /data/study/merged --force\n"))
    XCTAssertEqual(s.reportPath, "/data/study/merged/report.md")
  }

  func testPartitionAndTimeBecomeDirectivesOfBothJobs() {
    var s = slurm()
    XCTAssertFalse(s.studyScript.contains("--partition"))
    s.partition = "gpu"
    s.time = "1-02:00:00"
    for script in [s.studyScript, s.mergeScript] {
      XCTAssertTrue(script.contains("\n#SBATCH --partition=gpu\n#SBATCH --time=1-02:00:00\n"))
    }
  }

  func testLogDirectivesEscapeWhatSbatchInterprets() {
    let s = slurm("/data/my \"study\" #1 100%")
    XCTAssertTrue(
      s.studyScript.contains("\n#SBATCH --output=\"/data/my \\\"study\\\" \\#1 100%%/logs/study-%A_%a.out\"\n"))
    XCTAssertTrue(
      s.mergeScript.contains("\n#SBATCH --output=\"/data/my \\\"study\\\" \\#1 100%%/logs/merge-%j.out\"\n"))
  }

  func testShellQuotingLeavesPlainWordsAndQuotesTheRest() {
    XCTAssertEqual(shellQuoted("/data/study-1/shards"), "/data/study-1/shards")
    XCTAssertEqual(shellQuoted("grad-only,nets-only"), "grad-only,nets-only")
    XCTAssertEqual(shellQuoted("/data/my study"), "'/data/my study'")
    XCTAssertEqual(shellQuoted("it's"), "'it'\\''s'")
    XCTAssertEqual(shellQuoted("$HOME"), "'$HOME'")
    XCTAssertEqual(shellQuoted(""), "''")
  }

  func testTheStudyScriptPassesPathsWithSpacesAndQuotesIntact() throws {
    let dir = try scratch()
    let (exe, calls) = try recorder(in: dir)
    let s = SlurmStudy(
      executable: exe, studyArguments: ["--config", dir + "/my config.json", "--trials", "3"], shards: 3,
      directory: dir + "/out dir", cpusPerTask: 1)
    try s.write()
    XCTAssertEqual(try runBash(s.studyScriptPath, environment: ["SLURM_ARRAY_TASK_ID": "2"]), 0)
    let args = try String(contentsOfFile: calls, encoding: .utf8).split(
      separator: "\n", omittingEmptySubsequences: false)
    XCTAssertEqual(
      Array(args.prefix(14)),
      [
        "study", "--config", "\(dir)/my config.json", "--trials", "3", "--shard", "2/3", "--resume", "--out",
        "\(dir)/out dir/shards/2", "--quiet", "--jobs", "1", "",
      ].map { Substring($0) })
  }

  func testTheMergeScriptPassesPathsWithSpacesAndQuotesIntact() throws {
    let dir = try scratch()
    let (exe, calls) = try recorder(in: dir)
    let s = SlurmStudy(executable: exe, studyArguments: [], shards: 2, directory: dir + "/out dir")
    try s.write()
    XCTAssertEqual(try runBash(s.mergeScriptPath), 0)
    let text = try String(contentsOfFile: calls, encoding: .utf8)
    XCTAssertEqual(
      text,
      ["merge", "\(dir)/out dir/shards/0", "\(dir)/out dir/shards/1", "--out", "\(dir)/out dir/merged", "--force", ""]
        .joined(separator: "\n") + "\n")
  }

  func testATaskRefusesToRunOutsideAnArray() throws {
    let dir = try scratch()
    let (exe, _) = try recorder(in: dir)
    let s = SlurmStudy(executable: exe, studyArguments: [], shards: 2, directory: dir + "/out")
    try s.write()
    var env = ProcessInfo.processInfo.environment
    env["SLURM_ARRAY_TASK_ID"] = nil
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/bash")
    p.arguments = [s.studyScriptPath]
    p.environment = env
    p.standardError = FileHandle.nullDevice
    try p.run()
    p.waitUntilExit()
    XCTAssertNotEqual(p.terminationStatus, 0)
  }

  func testWriteCreatesTheLogAndShardFoldersAndExecutableScripts() throws {
    let dir = try scratch()
    let s = slurm(dir + "/new/study")
    try s.write()
    for d in [s.logsDirectory, s.shardsDirectory] { XCTAssertTrue(FileManager.default.fileExists(atPath: d)) }
    for f in [s.studyScriptPath, s.mergeScriptPath] { XCTAssertTrue(FileManager.default.isExecutableFile(atPath: f)) }
  }

  func testValidationRefusesWhatWouldBreakTheScripts() {
    var s = slurm()
    XCTAssertNoThrow(try s.validate())
    s.time = "2 hours"
    XCTAssertThrowsError(try s.validate())
    s.time = "UNLIMITED"
    XCTAssertNoThrow(try s.validate())
    s.partition = "a b"
    XCTAssertThrowsError(try s.validate())
    XCTAssertThrowsError(try slurm(shards: 0).validate())
    XCTAssertThrowsError(try slurm(cpus: 0).validate())
    XCTAssertThrowsError(try slurm("relative/dir").validate())
    XCTAssertThrowsError(try slurm("/a\nb").validate())
  }

  func testADirectoryIsAcceptedNewEmptyOrAsTheSameStudyAgain() throws {
    let dir = try scratch()
    let s = slurm(dir + "/study", shards: 2)
    XCTAssertNoThrow(try s.checkDirectory(configHash: "abc"))
    try s.write()
    try FileManager.default.createDirectory(atPath: s.shardDirectory(1), withIntermediateDirectories: true)
    try #"{"config_hash": "abc", "shard": "1/2"}"#.write(
      toFile: s.shardDirectory(1) + "/config.json", atomically: true, encoding: .utf8)
    XCTAssertNoThrow(try s.checkDirectory(configHash: "abc"))
    XCTAssertThrowsError(try s.checkDirectory(configHash: "other"))
    XCTAssertThrowsError(try slurm(dir + "/study", shards: 3).checkDirectory(configHash: "abc"))
  }

  func testADirectoryWithOtherFilesIsRefused() throws {
    let dir = try scratch()
    try "x".write(toFile: dir + "/notes.txt", atomically: true, encoding: .utf8)
    XCTAssertThrowsError(try slurm(dir).checkDirectory(configHash: "abc"))
  }

  func testTheJobIDIsReadFromParsableOutput() {
    XCTAssertEqual(parsableJobID("4711\n"), "4711")
    XCTAssertEqual(parsableJobID("4711;cluster\n"), "4711")
    XCTAssertNil(parsableJobID("sbatch: error: invalid partition\n"))
    XCTAssertNil(parsableJobID(""))
  }
}

final class SlurmSweepScriptTests: XCTestCase {
  func testASweepLayoutRunsOneshotSweepOnEveryShard() {
    let s = SlurmStudy(
      executable: "/opt/oneshot", studyArguments: ["--grid", "alpha-lr=0.001,0.01"], shards: 3, directory: "/scratch/s",
      command: "sweep")
    XCTAssertTrue(s.studyScript.contains("exec /opt/oneshot sweep --grid alpha-lr=0.001,0.01 --shard"), s.studyScript)
    XCTAssertFalse(s.studyScript.contains("oneshot study"))
  }
}
