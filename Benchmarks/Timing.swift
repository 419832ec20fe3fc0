import Foundation
import Study

/// Seconds on the monotonic clock.
func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) * 1e-9 }

/// Seconds `body` takes once.
func seconds(_ body: () throws -> Void) rethrows -> Double {
  let start = now()
  try body()
  return now() - start
}

/// Repeated measurements of one quantity and their median (the figure every table shows).
struct Sample {
  var values: [Double]

  var median: Double {
    let s = values.sorted()
    guard !s.isEmpty else { return .nan }
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
  }

  /// `{median, repetitions, values}`.
  var json: JSON {
    .object([
      ("median", .num(median)), ("repetitions", .number(Double(values.count))),
      ("values", .array(values.map { .num($0) })),
    ])
  }
}

/// Seconds per call of `body`: `warmup` untimed calls, then `repeats` timed batches, each of
/// enough calls to last about `batchSeconds` (the count is fixed after the warm-up, so every
/// batch does the same work). Short kernels are timed in batches so the clock's resolution
/// and the loop's overhead do not matter.
func timePerCall(repeats: Int, warmup: Int = 2, batchSeconds: Double, _ body: () -> Void) -> Sample {
  var once = Double.infinity
  for _ in 0..<max(warmup, 1) { once = min(once, seconds(body)) }
  let calls = max(1, Int(batchSeconds / max(once, 1e-9)))
  var values: [Double] = []
  for _ in 0..<repeats {
    let t = seconds { for _ in 0..<calls { body() } }
    values.append(t / Double(calls))
  }
  return Sample(values: values)
}

/// A field of `/proc/self/status` in bytes (`VmRSS`, `VmHWM`), nil where there is no procfs.
func procStatusBytes(_ field: String) -> Int? {
  guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else {
    return nil
  }
  for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
    let parts = line.split(separator: " ", omittingEmptySubsequences: true)
    if parts.count >= 2, let kb = Int(parts[1]) { return kb * 1024 }
  }
  return nil
}

/// Peak resident memory of this process in bytes (`getrusage`, kilobytes on Linux).
func maxResidentBytes() -> Int {
  var usage = rusage()
  getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
  return Int(usage.ru_maxrss) * 1024
}

/// CPU seconds (user + system) this process has used, over all its threads.
func cpuSeconds() -> Double {
  var usage = rusage()
  getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
  func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) * 1e-6 }
  return s(usage.ru_utime) + s(usage.ru_stime)
}

/// A child process that did not give what was asked, and why.
struct ProcessFailure: Error {
  var message: String
  init(_ m: String) { message = m }
}

/// Runs `executable` with `arguments`; standard output and error as text and the exit code,
/// or nil when it could not be started.
func runProcess(_ executable: String, _ arguments: [String], environment: [String: String]? = nil)
  -> (out: String, err: String, status: Int32)?
{
  let p = Process()
  p.executableURL = URL(fileURLWithPath: executable)
  p.arguments = arguments
  if let environment { p.environment = environment }
  let out = Pipe()
  let err = Pipe()
  p.standardOutput = out
  p.standardError = err
  p.standardInput = FileHandle.nullDevice
  do { try p.run() } catch { return nil }
  // Read both pipes while the child runs, so a chatty child cannot fill one and block.
  final class Box: @unchecked Sendable { var data = Data() }
  let errBox = Box()
  let group = DispatchGroup()
  let errHandle = err.fileHandleForReading
  DispatchQueue.global().async(group: group) { errBox.data = errHandle.readDataToEndOfFile() }
  let outData = out.fileHandleForReading.readDataToEndOfFile()
  p.waitUntilExit()
  group.wait()
  let errData = errBox.data
  return (
    String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self),
    p.terminationStatus
  )
}

/// `PATH`'s first executable called `name`.
func which(_ name: String) -> String? {
  if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
  let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
  for dir in path.split(separator: ":") {
    let candidate = "\(dir)/\(name)"
    if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
  }
  return nil
}
