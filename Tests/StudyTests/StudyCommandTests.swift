import Foundation
import Study
import XCTest

final class StudyCommandTests: XCTestCase {
  func testASmallStudyRunsEndToEndAndWritesItsFiles() throws {
    let dir = temporaryDirectory()
    let r = try Oneshot.run(["study"] + tinyStudy + ["--out", dir.path, "--jobs", "2"])
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertTrue(r.stdout.contains("darts-all"))
    XCTAssertTrue(r.stdout.contains("pearson"))
    let records = try ResultsStore(dir).readRecords().records
    XCTAssertEqual(records.count, 3 * 2 * 2)
    for r in records {
      for key in [
        "method", "problem", "trial", "seed", "architecture", "alpha", "oneshot_val_psnr",
        "architecture_psnr", "diverged", "seconds", "config_hash",
      ] {
        XCTAssertNotNil(r[key], "record lacks \(key)")
      }
      let darts = r["method"]?.string == "darts-all"
      XCTAssertEqual(r["oneshot_val_psnr"] != .null, darts)
      XCTAssertEqual(r["architecture"]?.array?.count, 2)
      if darts { XCTAssertEqual(r["alpha_history"]?.array?.count, 2, "one softmax(α) per epoch") }
    }
    let config = try JSON.parse(String(contentsOf: dir.appendingPathComponent("config.json"), encoding: .utf8))
    XCTAssertTrue(config["openblas_config"]?.string?.hasPrefix("OpenBLAS") == true, "\(config)")
    XCTAssertEqual(config["blas_threads_per_trial"]?.int, 1, "read back from OpenBLAS")
    XCTAssertEqual(config["oneshot_version"]?.string, oneshotVersion)
    XCTAssertNotNil(config["openblas_core"]?.string)
    XCTAssertEqual(config["kernel"]?.string, "blas")
    XCTAssertEqual(config["config"]?["trials"]?.int, 2)
    XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("summary.json").path))
  }

  func testOneAndTwoJobsGiveTheSameRecords() throws {
    let one = temporaryDirectory("one"), two = temporaryDirectory("two")
    XCTAssertEqual(try Oneshot.run(["study"] + tinyStudy + ["--out", one.path, "--jobs", "1"]).status, 0)
    XCTAssertEqual(try Oneshot.run(["study"] + tinyStudy + ["--out", two.path, "--jobs", "2"]).status, 0)
    let a = recordsByIndex(one), b = recordsByIndex(two)
    XCTAssertEqual(a.count, 12)
    XCTAssertEqual(a, b)
  }

  func testTheSameSearchTwiceGivesByteIdenticalOutput() throws {
    let flags = sizeFlags
    let one = try Oneshot.run(["search", "--problem", "blur", "--ops", "all", "--seed", "7"] + flags)
    let two = try Oneshot.run(["search", "--problem", "blur", "--ops", "all", "--seed", "7"] + flags)
    XCTAssertEqual(one.status, 0, one.stderr)
    XCTAssertEqual(one.stdout, two.stdout)
    let json = try JSON.parse(one.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    XCTAssertEqual(json["architecture"]?.array?.count, 2)
    XCTAssertEqual(json["alpha"]?.array?.first?.array?.count, 4)
  }

  func testTrainReproducesTheArchitecturePSNROfAStudyTrial() throws {
    let dir = temporaryDirectory()
    XCTAssertEqual(try Oneshot.run(["study"] + tinyStudy + ["--out", dir.path]).status, 0)
    let record = try ResultsStore(dir).readRecords().records.first { $0["method"]?.string == "random" }!
    let arch = record["architecture"]!.array!.compactMap(\.string).joined(separator: ",")
    let flags = sizeFlags
    let r = try Oneshot.run(
      ["train", "--problem", record["problem"]!.string!, "--arch", arch, "--seed", String(record["seed"]!.int!)] + flags)
    XCTAssertEqual(r.status, 0, r.stderr)
    let json = try JSON.parse(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    XCTAssertEqual(json["architecture_psnr"], record["architecture_psnr"])
  }

  func testTrainOnAChainOfRollsFinishes() throws {
    let r = try Oneshot.run(["train", "--problem", "blur", "--arch", "roll,roll,roll,roll,roll", "--retrain-epochs", "1"])
    XCTAssertEqual(r.status, 0, r.stderr)
    let psnr = try JSON.parse(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines))["architecture_psnr"]?.double
    XCTAssertTrue(psnr?.isFinite ?? false)
  }

  func testTheStatusIsPlainLinesInALogALiveLineOnATerminalAndNothingWhenQuiet() throws {
    let loud = tinyStudy.filter { $0 != "--quiet" }
    // Standard error a pipe, as in a batch job's log: whole lines, the last one the final count.
    let log = try Oneshot.run(["study"] + loud + ["--out", temporaryDirectory("log").path])
    XCTAssertEqual(log.status, 0, log.stderr)
    let lines = log.stderr.split(separator: "\n")
    XCTAssertFalse(log.stderr.contains("\r"))
    XCTAssertTrue(lines.last?.hasPrefix("12/12 done, 0 running, 0 diverged, ") == true, log.stderr)
    XCTAssertTrue(lines.last?.contains("ETA 0:00, best ") == true && lines.last?.hasSuffix(" dB") == true, log.stderr)
    // On a terminal (script(1) gives the binary a pseudo-terminal): one line rewritten in place.
    let out = temporaryDirectory("tty")
    let command = ([Oneshot.binary.path, "study"] + loud + ["--out", out.path]).joined(separator: " ")
    let tty = Process()
    tty.executableURL = URL(fileURLWithPath: "/usr/bin/script")
    tty.arguments = ["-qec", command, "/dev/null"]
    let pipe = Pipe()
    tty.standardOutput = pipe
    tty.standardInput = FileHandle.nullDevice
    try tty.run()
    let screen = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    tty.waitUntilExit()
    XCTAssertEqual(tty.terminationStatus, 0, screen)
    XCTAssertTrue(screen.contains("\r\u{1B}[K12/12"), screen)
    XCTAssertEqual(recordsByIndex(out).count, 12)
    // --quiet: nothing on standard error at all.
    let quiet = try Oneshot.run(["study"] + tinyStudy + ["--out", temporaryDirectory("quiet").path])
    XCTAssertEqual(quiet.status, 0)
    XCTAssertEqual(quiet.stderr, "")
  }

  func testEveryCommandHasHelp() throws {
    for c in ["study", "sweep", "search", "train", "report", "merge", "slurm"] {
      for form in [[c, "--help"], [c, "-h"], ["help", c]] {
        let r = try Oneshot.run(form)
        XCTAssertEqual(r.status, 0, "\(form)")
        XCTAssertTrue(r.stdout.contains("usage: oneshot \(c)"), "\(form): \(r.stdout)")
      }
    }
    XCTAssertEqual(try Oneshot.run(["--help"]).status, 0)
  }
}
