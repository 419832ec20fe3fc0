import Foundation
import Study
import XCTest

/// `--resume` on a folder with nothing to continue starts the study there, so a batch task can
/// always pass it (the Slurm array does).
final class ResumeIntoEmptyDirectoryTests: XCTestCase {
  var tiny: StudyConfig {
    var c = StudyConfig()
    c.methods = [.gradOnly]
    c.problems = [.blur]
    c.trials = 2
    c.data.trainSize = 32
    c.data.valSize = 32
    c.data.testSize = 32
    c.search.retrainEpochs = 1
    return c
  }

  func options(_ dir: URL) -> RunOptions {
    var o = RunOptions(output: dir)
    o.resume = true
    o.jobs = 1
    o.progress = nil
    return o
  }

  func scratch() -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("oneshot-resume-\(UUID().uuidString)")
    addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
    return dir
  }

  func records(_ dir: URL) throws -> [JSON] { try ResultsStore(dir).readRecords().records }

  func testResumeIntoAMissingDirectoryRunsTheWholeStudy() throws {
    let dir = scratch()
    _ = try runStudy(tiny, options(dir))
    XCTAssertEqual(try records(dir).count, 2)
  }

  func testResumeIntoAnEmptyDirectoryRunsTheWholeStudy() throws {
    let dir = scratch()
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    _ = try runStudy(tiny, options(dir))
    XCTAssertEqual(try records(dir).count, 2)
  }

  func testResumeIgnoresATemporaryFileOfARunKilledBeforeItsFirstWrite() throws {
    let dir = scratch()
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    try "{".write(to: dir.appendingPathComponent(".config.json.tmp-4242"), atomically: false, encoding: .utf8)
    _ = try runStudy(tiny, options(dir))
    XCTAssertEqual(try records(dir).count, 2)
  }

  func testResumeIntoANonEmptyDirectoryWithoutAStudyIsStillRefused() throws {
    let dir = scratch()
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    try "notes".write(to: dir.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
    XCTAssertThrowsError(try runStudy(tiny, options(dir)))
  }
}
