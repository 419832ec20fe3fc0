import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A study directory's files. `results.jsonl` has one writer that appends one complete line
/// per finished trial and syncs it; derived files are written whole and renamed into place,
/// so a killed run leaves every finished trial intact and at most a torn last line.
public struct ResultsStore: Sendable {
  public let directory: URL
  public init(_ directory: URL) { self.directory = directory }

  public var resultsURL: URL { directory.appendingPathComponent("results.jsonl") }
  public var configURL: URL { directory.appendingPathComponent("config.json") }
  public var summaryURL: URL { directory.appendingPathComponent("summary.json") }

  /// The temporary file `writeAtomically` writes `name` into before renaming it.
  static func temporaryName(_ name: String) -> String { ".\(name).tmp-\(getpid())" }

  /// Whether `entry` is a temporary file that a killed `writeAtomically` left behind.
  static func isTemporary(_ entry: String) -> Bool { entry.hasPrefix(".") && entry.contains(".tmp-") }

  /// Whether `entry` is a file that a study, sweep or merge writes (what `--force` clears).
  func isOwnOutput(_ entry: String) -> Bool {
    let figure = entry.hasSuffix(".svg") && ["figure2-", "spread-", "ops-", "sweep-"].contains { entry.hasPrefix($0) }
    let files = [resultsURL, summaryURL, configURL, reportURL].map(\.lastPathComponent)
    return files.contains(entry) || figure || ResultsStore.isTemporary(entry)
  }

  /// The study's `config.json`, or nil when it is missing or not JSON.
  func provenance() -> JSON? {
    FileManager.default.contents(atPath: configURL.path).flatMap { try? JSON.parse(String(decoding: $0, as: UTF8.self)) }
  }

  /// One line on stderr about a torn last line of `results.jsonl` (a run killed while writing).
  func noteTornLine(dropped: Bool) {
    let what = dropped ? "dropped" : "left out"
    FileHandle.standardError.write(
      Data("oneshot: \(what) a torn last line of \(resultsURL.path) (a run killed while writing)\n".utf8))
  }

  /// Writes `text` to `name` through a temporary file, synced before the rename (and the
  /// directory after it), so even a power loss leaves the old file or the new one, whole.
  public func writeAtomically(_ name: String, _ text: String) throws(StoreError) {
    let target = directory.appendingPathComponent(name)
    let tmp = directory.appendingPathComponent(ResultsStore.temporaryName(name))
    let fd = open(tmp.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    if fd < 0 { throw StoreError("cannot write \(target.path): \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    try writeAll(fd, Array(text.utf8), path: target.path)
    fsync(fd)
    if rename(tmp.path, target.path) != 0 {
      throw StoreError("cannot rename into \(target.path): \(String(cString: strerror(errno)))")
    }
    let dir = open(directory.path, O_RDONLY | O_DIRECTORY)
    if dir >= 0 {
      fsync(dir)
      close(dir)
    }
  }

  /// The records in `results.jsonl`. A last line without its newline (a run killed while
  /// writing) is dropped and reported; a malformed line elsewhere is an error (exit 65).
  public func readRecords() throws(StoreError) -> (records: [JSON], tornBytes: Int) {
    guard let data = FileManager.default.contents(atPath: resultsURL.path) else { return ([], 0) }
    var records: [JSON] = []
    var start = 0
    let bytes = [UInt8](data)
    var lineNumber = 0
    while start < bytes.count {
      guard let end = bytes[start...].firstIndex(of: 0x0A) else {
        return (records, bytes.count - start)  // torn last line
      }
      lineNumber += 1
      let line = String(decoding: bytes[start..<end], as: UTF8.self)
      start = end + 1
      if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
      let record: JSON
      do { record = try JSON.parse(line) } catch {
        throw StoreError("\(resultsURL.path): line \(lineNumber) is not valid JSON (\(error))", exitCode: 65)
      }
      if let why = TrialRecord.malformation(record) {
        throw StoreError("\(resultsURL.path): line \(lineNumber) is not a trial record: \(why)", exitCode: 65)
      }
      records.append(record)
    }
    return (records, 0)
  }

  /// Cuts a torn last line off `results.jsonl` so appends start on a fresh line.
  public func dropTornTail(_ tornBytes: Int) throws(StoreError) {
    guard tornBytes > 0 else { return }
    let size = (try? FileManager.default.attributesOfItem(atPath: resultsURL.path)[.size] as? Int) ?? 0
    if truncate(resultsURL.path, off_t(size - tornBytes)) != 0 {
      throw StoreError("cannot truncate the torn last line of \(resultsURL.path)")
    }
  }
}

/// An exclusive lock on a study directory, held while one run writes into it: a second run
/// (a requeued batch task, a duplicate submission) is refused instead of appending a second
/// copy of the trials. The kernel drops it when the process ends, killed or not.
public final class DirectoryLock: @unchecked Sendable {
  private let fd: Int32

  public init(_ path: String) throws(StoreError) {
    fd = open(path, O_RDONLY | O_DIRECTORY)
    if fd < 0 { throw StoreError("cannot open \(path): \(String(cString: strerror(errno)))") }
    if flock(fd, LOCK_EX | LOCK_NB) != 0 {
      let busy = errno == EWOULDBLOCK
      close(fd)
      throw StoreError(
        busy
          ? "\(path) is in use by another oneshot run; wait for it to end or choose another --out"
          : "cannot lock \(path): \(String(cString: strerror(errno)))")
    }
  }

  deinit { close(fd) }
}

/// Appends lines to a file and syncs each one before returning.
public final class LineWriter: @unchecked Sendable {
  private let fd: Int32
  public let path: String

  public init(appendingTo path: String) throws(StoreError) {
    self.path = path
    fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
    if fd < 0 { throw StoreError("cannot open \(path) for writing: \(String(cString: strerror(errno)))") }
  }

  deinit { close(fd) }

  /// Writes `line` and a newline in one `write`, then `fsync`s.
  public func append(_ line: String) throws(StoreError) {
    try writeAll(fd, Array((line + "\n").utf8), path: path)
    fsync(fd)
  }
}

/// Writes every byte to `fd`, retrying short and interrupted writes.
private func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(StoreError) {
  var done = 0
  while done < bytes.count {
    let n = bytes[done...].withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count) }
    if n < 0 {
      if errno == EINTR { continue }
      throw StoreError("cannot write \(path): \(String(cString: strerror(errno)))")
    }
    done += n
  }
}

/// A problem with a study directory or its files.
public struct StoreError: Error, CustomStringConvertible {
  public var description: String
  /// 73 when a file cannot be written, 65 when what is read is not a oneshot study.
  public var exitCode: Int32
  public init(_ d: String, exitCode: Int32 = 73) {
    description = d
    self.exitCode = exitCode
  }
}
