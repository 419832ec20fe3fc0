import Foundation
import Study
import XCTest

/// Runs the built `oneshot` binary (a sibling of the test bundle) with standard input closed.
struct Oneshot {
  static var binary: URL {
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    while dir.path != "/" {
      let candidate = dir.appendingPathComponent("oneshot")
      var isDir: ObjCBool = false
      if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDir), !isDir.boolValue { return candidate }
      dir = dir.deletingLastPathComponent()
    }
    fatalError("oneshot binary not found next to \(CommandLine.arguments[0]); run `swift build --build-tests` first")
  }

  struct Result {
    var status: Int32
    var stdout: String
    var stderr: String
  }

  /// Starts the binary; the caller waits or kills.
  static func start(_ args: [String]) throws -> (Process, Pipe, Pipe) {
    // Through `sh -c 'exec … <&-'`: the binary runs with file descriptor 0 closed, as under a
    // batch system that gives it none (exec keeps the pid, so a kill reaches the binary).
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", "exec \"$0\" \"$@\" <&-", binary.path] + args
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    return (p, out, err)
  }

  @discardableResult
  static func run(_ args: [String]) throws -> Result {
    let (p, out, err) = try start(args)
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return Result(
      status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
  }
}

/// Complete lines in a file (0 when it does not exist yet): the records a run has written.
func lines(_ path: String) -> Int {
  (FileManager.default.contents(atPath: path) ?? Data()).reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
}

/// Flags of a study small enough for a test: 2 methods with a search, tiny sizes.
let tinyStudy = [
  "--methods", "darts-all,random,grad-only", "--problems", "blur,downsample", "--trials", "2",
  "--length", "16", "--train-size", "16", "--val-size", "16", "--test-size", "16", "--batch-size", "8",
  "--layers", "2", "--channels", "3", "--kernel-width", "3", "--roll-shift", "3",
  "--search-epochs", "2", "--retrain-epochs", "2", "--quiet",
]

/// The size and epoch flags of `tinyStudy`, for `search` and `train`.
let sizeFlags = Array(tinyStudy.drop { $0 != "--length" }.filter { $0 != "--quiet" })

func temporaryDirectory(_ name: String = #function) -> URL {
  let d = FileManager.default.temporaryDirectory.appendingPathComponent(
    "oneshot-tests-\(getpid())-\(name.filter { $0.isLetter || $0.isNumber })")
  try? FileManager.default.removeItem(at: d)
  return d
}

/// The records of a study directory without timing (and any other `ignoring` keys), keyed by plan index.
func recordsByIndex(
  _ dir: URL, ignoring: Set<String> = ["seconds"], file: StaticString = #filePath, line: UInt = #line
) -> [Int: String] {
  guard let records = try? ResultsStore(dir).readRecords().records else {
    XCTFail("cannot read \(dir.path)", file: file, line: line)
    return [:]
  }
  var out: [Int: String] = [:]
  for r in records {
    let i = r["index"]!.int!
    XCTAssertNil(out[i], "trial \(i) appears twice", file: file, line: line)
    out[i] = r.removing(ignoring).serialized
  }
  return out
}
