import Foundation
import Study
import XCTest

/// Issue 4: kills, resumes, shards, and bad input — each driven through the binary.
final class RobustnessTests: XCTestCase {
  func testAKilledStudyResumesToTheSameRecordsAsAnUninterruptedRun() throws {
    // About 0.2 s a trial in a debug build: far longer than the 5 ms poll below, so each kill
    // lands near the record count it waits for, even on a loaded machine.
    let study = tinyStudy + ["--search-epochs", "300", "--retrain-epochs", "300"]
    let reference = temporaryDirectory("reference")
    XCTAssertEqual(try Oneshot.run(["study"] + study + ["--out", reference.path, "--jobs", "2"]).status, 0)
    let expected = recordsByIndex(reference)
    XCTAssertEqual(expected.count, 12)
    // SIGKILL at several points: before the first record, after a few, and again on the resumed
    // directory; one job, so the kill lands between trials as well as inside one.
    let dir = temporaryDirectory("killed")
    let results = ResultsStore(dir).resultsURL
    var counts: [Int] = []
    for (resume, atLeast) in [(false, 0), (true, 3), (true, 7)] {
      let (p, _, _) = try Oneshot.start(["study"] + study + ["--out", dir.path, "--jobs", "1"] + (resume ? ["--resume"] : []))
      let configFile = dir.appendingPathComponent("config.json").path
      while p.isRunning && !(FileManager.default.fileExists(atPath: configFile) && lines(results.path) >= atLeast) {
        Thread.sleep(forTimeInterval: 0.005)
      }
      kill(p.processIdentifier, SIGKILL)
      p.waitUntilExit()
      XCTAssertEqual(p.terminationReason, .uncaughtSignal, "the study finished before the kill at \(atLeast) records")
      counts.append(lines(results.path))
    }
    XCTAssertTrue(counts[0] < 3 && counts[1] >= 3 && counts[2] >= 7 && counts[2] < 12, "records after each kill: \(counts)")
    // Every record a kill left behind is one of the uninterrupted run's, whole and once.
    for (i, r) in recordsByIndex(dir) { XCTAssertEqual(r, expected[i], "trial \(i)") }
    // A torn last line, as a kill in the middle of a write would leave.
    if let h = FileHandle(forWritingAtPath: results.path) {
      h.seekToEndOfFile()
      h.write(Data("{\"method\":\"darts-all\",\"probl".utf8))
      h.closeFile()
    }
    let r = try Oneshot.run(["study"] + study + ["--out", dir.path, "--jobs", "2", "--resume"])
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertEqual(recordsByIndex(dir), expected)
  }

  func testTwoShardsMergedEqualOneUnshardedRun() throws {
    let whole = temporaryDirectory("whole"), s0 = temporaryDirectory("s0"), s1 = temporaryDirectory("s1")
    let merged = temporaryDirectory("merged")
    XCTAssertEqual(try Oneshot.run(["study"] + tinyStudy + ["--out", whole.path]).status, 0)
    XCTAssertEqual(try Oneshot.run(["study"] + tinyStudy + ["--out", s0.path, "--shard", "0/2"]).status, 0)
    XCTAssertEqual(try Oneshot.run(["study"] + tinyStudy + ["--out", s1.path, "--shard", "1/2"]).status, 0)
    XCTAssertEqual(recordsByIndex(s0).keys.sorted(), [0, 2, 4, 6, 8, 10])
    let m = try Oneshot.run(["merge", s0.path, s1.path, "--out", merged.path])
    XCTAssertEqual(m.status, 0, m.stderr)
    XCTAssertEqual(recordsByIndex(merged), recordsByIndex(whole))
    XCTAssertEqual(m.stderr, "", "a complete merge says nothing on stderr")
    // One shard of two: merged, with one line saying what is missing.
    let half = try Oneshot.run(["merge", s0.path, "--out", temporaryDirectory("half").path])
    XCTAssertEqual(half.status, 0, half.stderr)
    XCTAssertEqual(half.stderr, "oneshot: merged 6 of the 12 planned trials: a shard is missing or unfinished\n")
    // The same shard twice is a duplicate; a shard of another study is a mismatch.
    let dup = try Oneshot.run(["merge", s0.path, s0.path, "--out", temporaryDirectory("dup").path])
    XCTAssertNotEqual(dup.status, 0)
    XCTAssertTrue(dup.stderr.contains("twice"), dup.stderr)
    let other = temporaryDirectory("other")
    XCTAssertEqual(try Oneshot.run(["study"] + tinyStudy + ["--out", other.path, "--seed", "9", "--shard", "1/2"]).status, 0)
    let mismatch = try Oneshot.run(["merge", s0.path, other.path, "--out", temporaryDirectory("mm").path])
    XCTAssertNotEqual(mismatch.status, 0)
    XCTAssertTrue(mismatch.stderr.contains("seed"), mismatch.stderr)
  }

  func testReportRecomputesTheTableFromResultsAlone() throws {
    let dir = temporaryDirectory()
    let study = try Oneshot.run(["study"] + tinyStudy + ["--out", dir.path])
    try FileManager.default.removeItem(at: dir.appendingPathComponent("summary.json"))
    let report = try Oneshot.run(["report", dir.path])
    XCTAssertEqual(report.status, 0, report.stderr)
    let table = { (s: String) in s.components(separatedBy: "\n").prefix(7).joined(separator: "\n") }  // header + 6 rows
    XCTAssertEqual(table(report.stdout), table(study.stdout))
    XCTAssertTrue(table(report.stdout).contains("downsample  random"))
    XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("summary.json").path))
  }

  func testAMalformedRecordIsRefusedByReportResumeAndMergeNamingItsLine() throws {
    let dir = temporaryDirectory()
    XCTAssertEqual(try Oneshot.run(["study"] + tinyStudy + ["--out", dir.path]).status, 0)
    let results = ResultsStore(dir).resultsURL
    let good = try String(contentsOf: results, encoding: .utf8)
    var lines = good.split(separator: "\n").map(String.init)
    // `report DIR/results.jsonl` names the study it belongs to.
    XCTAssertEqual(try Oneshot.run(["report", results.path]).status, 0)
    let record = try JSON.parse(lines[1])
    guard case .object(let kv) = record else { return XCTFail("a record is an object") }
    func edited(_ key: String, _ value: JSON?) -> String {
      JSON.object(value.map { v in kv.map { $0.0 == key ? (key, v) : $0 } } ?? kv.filter { $0.0 != key }).serialized
    }
    let corruptions: [(String, String)] = [
      ("{\"method\": ", "not valid JSON"),
      ("{\"oops\":1}", "method"),
      (edited("architecture_psnr", nil), "architecture_psnr"),
      (edited("oneshot_val_psnr", .string("x")), "oneshot_val_psnr"),
      (edited("trial", .number(1.5)), "trial"),
      (edited("architecture", .array([.number(3)])), "architecture"),
    ]
    for (line, needle) in corruptions {
      lines[1] = line
      try (lines.joined(separator: "\n") + "\n").write(to: results, atomically: true, encoding: .utf8)
      for args in [["report", dir.path], ["study"] + tinyStudy + ["--out", dir.path, "--resume"]] {
        let r = try Oneshot.run(args)
        XCTAssertEqual(r.status, 65, "\(args[0]) with \(line): \(r.stderr)")
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("line 2") && r.stderr.contains(needle), r.stderr)
      }
      let m = try Oneshot.run(["merge", dir.path, "--out", temporaryDirectory("merged").path])
      XCTAssertEqual(m.status, 65, m.stderr)
    }
    XCTAssertEqual(try String(contentsOf: results, encoding: .utf8), lines.joined(separator: "\n") + "\n", "nothing rewritten")
  }

  func testARecordTwiceOrOfAnotherConfigurationIsRefusedByReportResumeAndMerge() throws {
    let dir = temporaryDirectory()
    XCTAssertEqual(try Oneshot.run(["study"] + tinyStudy + ["--out", dir.path]).status, 0)
    let results = ResultsStore(dir).resultsURL
    let lines = try String(contentsOf: results, encoding: .utf8).split(separator: "\n").map(String.init)
    let hash = try JSON.parse(lines[0])["config_hash"]!.string!
    let otherHash = lines[3].replacingOccurrences(of: hash, with: String(repeating: "0", count: hash.count))
    for (edited, needle) in [
      (lines + [lines[2]], "recorded twice"), (lines[0..<3] + [otherHash] + lines[4...], "another configuration"),
    ] {
      try (edited.joined(separator: "\n") + "\n").write(to: results, atomically: true, encoding: .utf8)
      for args in [
        ["report", dir.path], ["study"] + tinyStudy + ["--out", dir.path, "--resume"],
        ["merge", dir.path, "--out", temporaryDirectory("merged").path],
      ] {
        let r = try Oneshot.run(args)
        XCTAssertEqual(r.status, 65, "\(args[0]): \(r.stderr)")
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains(needle) && r.stderr.contains("plan index"), r.stderr)
      }
    }
  }

  func testASecondRunIntoADirectoryInUseIsRefusedAndNoTrialIsEverRecordedTwice() throws {
    // The lock a running study holds, taken here so the refusal does not depend on timing.
    let dir = temporaryDirectory()
    XCTAssertEqual(try Oneshot.run(["study"] + tinyStudy + ["--out", dir.path]).status, 0)
    let before = try snapshot(dir)
    let held = try DirectoryLock(dir.path)
    for args in [
      ["study"] + tinyStudy + ["--out", dir.path, "--resume"], ["study"] + tinyStudy + ["--out", dir.path, "--force"],
      ["sweep"] + tinyStudy + ["--grid", "alpha-lr=1e-3,1e-2", "--out", dir.path], ["report", dir.path],
    ] {
      let r = try Oneshot.run(args)
      XCTAssertEqual(r.status, 73, "\(args[0]): \(r.stderr)")
      XCTAssertTrue(r.stderr.contains("in use by another oneshot run"), r.stderr)
    }
    withExtendedLifetime(held) {}
    XCTAssertEqual(try snapshot(dir), before, "nothing written")
    // Two studies started together into one directory: whichever runs, and in whatever order,
    // each trial is recorded once (the loser is refused, or resumes a finished study).
    let both = temporaryDirectory("both")
    let runs = try (0..<2).map { _ in try Oneshot.start(["study"] + tinyStudy + ["--out", both.path, "--resume"]) }
    for (p, _, _) in runs { p.waitUntilExit() }
    let codes = runs.map { $0.0.terminationStatus }
    XCTAssertTrue(codes.contains(0) && codes.allSatisfy { $0 == 0 || $0 == 73 }, "\(codes)")
    XCTAssertEqual(try ResultsStore(both).readRecords().records.count, 12)
    XCTAssertEqual(recordsByIndex(both).count, 12)
  }

  func testForceClearsTheFiguresOfTheEarlierRun() throws {
    let dir = temporaryDirectory()
    XCTAssertEqual(try Oneshot.run(["study"] + tinyStudy + ["--out", dir.path]).status, 0)
    let files = { Set(try FileManager.default.contentsOfDirectory(atPath: dir.path)) }
    XCTAssertTrue(try files().contains("spread-downsample.svg"))
    let again = try Oneshot.run(["study"] + tinyStudy + ["--out", dir.path, "--force", "--problems", "blur"])
    XCTAssertEqual(again.status, 0, again.stderr)
    let after = try files()
    XCTAssertFalse(after.contains { $0.contains("downsample") }, "\(after)")
    XCTAssertTrue(after.contains("spread-blur.svg"))
  }

  func testResumingOrMergingAcrossOpenBLASCoresSaysTheRecordsAgreeOnlyToRounding() throws {
    let s0 = temporaryDirectory("core0"), s1 = temporaryDirectory("core1")
    XCTAssertEqual(try Oneshot.run(["study"] + tinyStudy + ["--out", s0.path, "--shard", "0/2"]).status, 0)
    XCTAssertEqual(try Oneshot.run(["study"] + tinyStudy + ["--out", s1.path, "--shard", "1/2"]).status, 0)
    // As if shard 1 had run on another machine type.
    let file = s1.appendingPathComponent("config.json")
    let text = try String(contentsOf: file, encoding: .utf8)
    let core = try JSON.parse(text)["openblas_core"]!.string!
    try text.replacingOccurrences(of: "\"openblas_core\": \"\(core)\"", with: "\"openblas_core\": \"Elsewhere\"")
      .write(to: file, atomically: true, encoding: .utf8)
    XCTAssertEqual(try JSON.parse(String(contentsOf: file, encoding: .utf8))["openblas_core"]?.string, "Elsewhere")
    for args in [
      ["study"] + tinyStudy + ["--out", s1.path, "--shard", "1/2", "--resume"],
      ["merge", s0.path, s1.path, "--out", temporaryDirectory("m").path],
    ] {
      let r = try Oneshot.run(args)
      XCTAssertEqual(r.status, 0, r.stderr)
      XCTAssertTrue(
        r.stderr.contains("OpenBLAS cores") && r.stderr.contains("Elsewhere") && r.stderr.contains("not bit for bit"), r.stderr)
    }
    let same = try Oneshot.run(["study"] + tinyStudy + ["--out", s0.path, "--shard", "0/2", "--resume"])
    XCTAssertEqual(same.stderr, "", "one machine type: nothing to say")
  }

  func testResumingWithAnotherConfigurationIsRefusedNamingTheKeys() throws {
    let dir = temporaryDirectory()
    XCTAssertEqual(try Oneshot.run(["study"] + tinyStudy + ["--out", dir.path]).status, 0)
    let before = try String(contentsOf: ResultsStore(dir).resultsURL, encoding: .utf8)
    let r = try Oneshot.run(["study"] + tinyStudy + ["--out", dir.path, "--resume", "--alpha-lr", "0.1", "--trials", "3"])
    XCTAssertNotEqual(r.status, 0)
    XCTAssertTrue(r.stderr.contains("alpha-lr") && r.stderr.contains("trials"), r.stderr)
    XCTAssertEqual(r.stderr.split(separator: "\n").count, 1)
    XCTAssertEqual(try String(contentsOf: ResultsStore(dir).resultsURL, encoding: .utf8), before)
    let again = try Oneshot.run(["study"] + tinyStudy + ["--out", dir.path])
    XCTAssertNotEqual(again.status, 0, "a non-empty directory without --resume or --force")
    XCTAssertTrue(again.stderr.contains("--resume"), again.stderr)
  }

  func testBadInputGetsOneLineAndANonZeroExitWithNothingWritten() throws {
    let dir = temporaryDirectory()
    let badConfig = dir.deletingLastPathComponent().appendingPathComponent("bad-\(getpid()).json")
    let unknownKey = dir.deletingLastPathComponent().appendingPathComponent("unknown-\(getpid()).json")
    try "{\"trials\": 3,".write(to: badConfig, atomically: true, encoding: .utf8)
    try "{\"trials\": 3, \"learning_rate\": 0.1}".write(to: unknownKey, atomically: true, encoding: .utf8)
    let wrongType = dir.deletingLastPathComponent().appendingPathComponent("type-\(getpid()).json")
    try "{\"trials\": \"3\"}".write(to: wrongType, atomically: true, encoding: .utf8)
    let cases: [([String], String)] = [
      (["study", "--frobnicate"], "frobnicate"),
      (["study", "--trials"], "trials"),
      (["study", "--trials", "many"], "trials"),
      (["study", "--trials", "0"], "trials"),
      (["study", "--train-size", "-5"], "train-size"),
      (["study", "--weight-lr", "nan"], "weight-lr"),
      (["study", "--alpha-lr", "inf"], "alpha-lr"),
      (["study", "--weight-lr", "-0.1"], "weight-lr"),
      (["study", "--methods", "darts-some"], "darts-some"),
      (["study", "--problems", "deblur"], "deblur"),
      (["search", "--ops", "fancy"], "fancy"),
      (["train", "--arch", "grad,net"], "5 ops"),
      (["train", "--arch", "grad,net,conv,grad,net"], "conv"),
      (["study", "--config", badConfig.path], "malformed"),
      (["study", "--config", unknownKey.path], "learning_rate"),
      (["study", "--config", wrongType.path], "trials: expected a number, got a string"),
      (["study", "--length", "130"], "divisible"),
      (["search", "--problem", "downsample", "--length", "130"], "divisible"),
      (["train", "--problem", "downsample", "--length", "130", "--arch", "grad,net,net,grad,net"], "divisible"),
      (["study", "--step-init", "nan"], "step-init"),
      (["search", "--problems", "downsample"], "--problems is a study setting"),
      (["train", "--trials", "3", "--arch", "grad,net,net,grad,net"], "--trials is a study setting"),
      ([], "no command given"),
      (["study", "--out", "/proc/oneshot-cannot-write"], "/proc/oneshot-cannot-write: No such file or directory"),
      (["study", "--shard", "2/2"], "shard"),
      (["study", "--shard", "-1/2"], "shard"),
      (["explode"], "explode"),
    ]
    for (args, needle) in cases {
      let writes = args.first == "study" && !args.contains("--out")
      let r = try Oneshot.run(args + (writes ? ["--out", dir.path] : []))
      XCTAssertNotEqual(r.status, 0, "\(args)")
      XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "\(args): \(r.stderr)")
      XCTAssertTrue(r.stderr.contains(needle), "\(args): \(r.stderr)")
      XCTAssertFalse(r.stderr.contains("Fatal error"), "\(args)")
    }
    XCTAssertFalse(FileManager.default.fileExists(atPath: dir.path), "nothing may be written for bad input")
    // Pointed at a finished study, the same bad input leaves every file of it as it was.
    let existing = temporaryDirectory("existing")
    XCTAssertEqual(try Oneshot.run(["study"] + tinyStudy + ["--out", existing.path]).status, 0)
    let before = try snapshot(existing)
    for (args, _) in cases where args.first == "study" && !args.contains("--out") {
      for extra in [["--resume"], ["--force"]] {
        let r = try Oneshot.run(args + ["--out", existing.path] + extra)
        XCTAssertNotEqual(r.status, 0, "\(args + extra)")
        XCTAssertEqual(try snapshot(existing), before, "\(args + extra) changed the study directory")
      }
    }
  }

  /// Every file of a directory with its bytes.
  func snapshot(_ dir: URL) throws -> [String: Data] {
    var out: [String: Data] = [:]
    for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) {
      out[name] = try Data(contentsOf: dir.appendingPathComponent(name))
    }
    return out
  }

  func testADivergingLearningRateMarksTheTrialAndTheStudyGoesOn() throws {
    let dir = temporaryDirectory()
    let r = try Oneshot.run(
      ["study"] + tinyStudy + [
        "--out", dir.path, "--weight-lr", "1e30", "--gradient-clip", "1e30", "--methods", "nets-only,grad-only",
      ])
    XCTAssertEqual(r.status, 0, r.stderr)
    let records = try ResultsStore(dir).readRecords().records
    XCTAssertEqual(records.count, 8)
    let diverged = records.filter { $0["diverged"]?.bool == true }
    XCTAssertFalse(diverged.isEmpty)
    for d in diverged {
      XCTAssertEqual(d["divergence"]?["phase"]?.string, "retrain")
      XCTAssertNotNil(d["divergence"]?["step"]?.int)
      XCTAssertEqual(d["architecture_psnr"], .null)
    }
    let summary = try JSON.parse(String(contentsOf: ResultsStore(dir).summaryURL, encoding: .utf8))
    let counted = summary.array!.reduce(0) { $0 + ($1["diverged"]?.int ?? 0) }
    XCTAssertEqual(counted, diverged.count)
  }
}

final class DivergingSingleRunTests: XCTestCase {
  func testADivergingRetrainingPrintsItsRecordThenOneLineAndExitsNonZero() throws {
    let r = try Oneshot.run(
      ["train", "--arch", "net,net", "--weight-lr", "1e30", "--gradient-clip", "1e30"] + sizeFlags)
    XCTAssertEqual(r.status, 1)
    XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
    XCTAssertTrue(r.stderr.contains("diverged: retrain"), r.stderr)
    let record = try JSON.parse(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    XCTAssertEqual(record["diverged"], .bool(true))
  }
}
