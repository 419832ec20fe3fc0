import Foundation
import InverseProblems
import Numerics

/// How a study is executed; none of this changes its results.
public struct RunOptions: Sendable {
  public var output: URL
  /// Parallel trials (default: the core count).
  public var jobs = ProcessInfo.processInfo.activeProcessorCount
  /// Continue a directory: run only the trials without a record.
  public var resume = false
  /// Start over in a non-empty directory.
  public var force = false
  /// What the refusal of a non-empty directory suggests (merge has no `--resume`).
  public var restartHint = "pass --resume to continue it or --force to start over"
  /// Run only the trials whose plan index is ≡ `k` mod `n`.
  public var shard: (k: Int, n: Int)? = nil
  /// Where the live status goes (nil: silent).
  public var progress: ProgressSink? = .standardError
  public init(output: URL) { self.output = output }
}

/// The version written into every `config.json`.
public let oneshotVersion = "0.1.0"

/// A study that could not run or continue, with what to fix.
public struct StudyError: Error, CustomStringConvertible {
  public var description: String
  /// 64 for a configuration the user must fix, 73 for an output that cannot be written, 65
  /// for input files that are not a oneshot study.
  public var exitCode: Int32
  public init(_ d: String, exitCode: Int32 = 73) {
    description = d
    self.exitCode = exitCode
  }
  /// The store's error with its own exit code.
  public init(_ e: StoreError) { self.init(e.description, exitCode: e.exitCode) }
}

/// Runs (or resumes) a study into `options.output`: `config.json`, then one line per trial in
/// `results.jsonl` as trials finish, then `summary.json` and the report.
public func runStudy(_ config: StudyConfig, _ options: RunOptions) throws(StudyError) -> StudySummary {
  try runSweep(Sweep(study: config), options)
}

/// Runs (or resumes) every cell of a sweep into `options.output` with one plan, one results
/// file and one writer; a plain study is the one-cell case.
public func runSweep(_ sweep: Sweep, _ options: RunOptions) throws(StudyError) -> StudySummary {
  for cell in sweep.cells {
    do { try cell.config.validate() } catch {
      throw StudyError(sweep.isGrid ? "grid: cell \(cell.label): \(error)" : error.description, exitCode: 64)
    }
  }
  if let s = options.shard, !(s.n > 0 && s.k >= 0 && s.k < s.n) {
    throw StudyError("--shard: need 0 ≤ K < N, got \(s.k)/\(s.n)", exitCode: 64)
  }
  let store = ResultsStore(options.output)
  BLAS.setThreads(1)  // one thread per trial (the scheduler keeps it so), before config.json records it
  var provenance = sweep.provenance(shard: options.shard)
  var done = Set<Int>()
  let lock: DirectoryLock
  do throws(StoreError) {
    lock = try prepareDirectory(store, provenance: &provenance, options: options)
    if options.resume {
      let (records, torn) = try studyRecords(store, provenance: provenance)
      try store.dropTornTail(torn)
      if torn > 0 && options.progress != nil { store.noteTornLine(dropped: true) }
      done = Set(records.map { $0["index"]!.int! })
    }
    try store.writeAtomically("config.json", provenance.pretty)
  } catch {
    throw StudyError(error)
  }

  let todo = sweep.plan.filter { spec in
    !done.contains(spec.index) && (options.shard.map { spec.index % $0.n == $0.k } ?? true)
  }
  if options.resume && !done.isEmpty && options.progress != nil {
    FileHandle.standardError.write(Data("oneshot: resuming: \(done.count) trials already recorded, \(todo.count) to run\n".utf8))
  }
  let writer: LineWriter
  do { writer = try LineWriter(appendingTo: store.resultsURL.path) } catch { throw StudyError(error) }
  let data = SharedData()
  let progress = Progress(total: todo.count, sink: options.progress)
  let failure = FailureBox()
  Scheduler.run(
    todo, jobs: options.jobs,
    work: { spec in
      progress.started()
      let cell = sweep.cells[spec.cell]
      var record = runTrial(spec, config: cell.config, data: data.for(spec, cell.config))
      if sweep.isGrid { record.cell = (cell.index, cell.values) }
      return record
    },
    deliver: { record in
      do { try writer.append(record.json.serialized) } catch { failure.set("\(error)") }
      progress.finished(record)
    })
  progress.close()
  if let f = failure.message { throw StudyError(f) }
  defer { withExtendedLifetime(lock) {} }  // held until the summary and report are written
  return try summarise(store)
}

/// The records of a study directory, refused (exit 65, naming the line's trial) when one is not
/// this study's: a plan index recorded twice (two runs appending into one directory), or a
/// record of another configuration. `provenance` is the study's `config.json`, when known.
func studyRecords(_ store: ResultsStore, provenance: JSON?) throws(StoreError) -> (records: [JSON], tornBytes: Int) {
  let (records, torn) = try store.readRecords()
  var seen = Set<Int>()
  for r in records {
    let i = r["index"]!.int!  // readRecords refuses a record without an integer index
    let what = "plan index \(i) (\(r["method"]!.string!) on \(r["problem"]!.string!), trial \(r["trial"]!.int!))"
    guard seen.insert(i).inserted else {
      throw StoreError("\(store.resultsURL.path): \(what) is recorded twice", exitCode: 65)
    }
    if let provenance, r["config_hash"]?.string != expectedRecordHash(provenance, index: i) {
      throw StoreError("\(store.resultsURL.path): \(what) is a record of another configuration", exitCode: 65)
    }
  }
  return (records, torn)
}

/// Recomputes the rows (a sweep's: per cell) from `results.jsonl` and writes `summary.json`,
/// then `report.md` and its figures. A torn last line is left out and said so (a study or
/// merge never has one here: resume drops it, merge writes its file whole).
public func summarise(_ store: ResultsStore) throws(StudyError) -> StudySummary {
  let records: [JSON]
  let summary: StudySummary
  do throws(StoreError) {
    let read = try studyRecords(store, provenance: store.provenance())
    if read.tornBytes > 0 { store.noteTornLine(dropped: false) }
    records = read.records
    summary = StudySummary(records: records)
    try store.writeAtomically("summary.json", summary.json.pretty)
  } catch {
    throw StudyError(error)
  }
  try writeReport(store, records: records)
  return summary
}

/// Creates the directory and locks it, then refuses to mix configurations or overwrite results.
/// On `--resume`, `provenance`'s `openblas_core` comes to name every core whose kernels made
/// records in the directory (`Zen+Cooperlake`).
func prepareDirectory(_ store: ResultsStore, provenance: inout JSON, options: RunOptions) throws(StoreError)
  -> DirectoryLock
{
  let fm = FileManager.default
  let path = store.directory.path
  var isDir: ObjCBool = false
  let existed = fm.fileExists(atPath: path, isDirectory: &isDir)
  if existed {
    guard isDir.boolValue else { throw StoreError("\(path) exists and is not a directory") }
  } else {
    try makeDirectories(path)
  }
  // Locked before anything is read, so two runs cannot both decide what is missing.
  let lock = try DirectoryLock(path)
  if existed {
    // A run killed while writing its first file leaves only a temporary file: still empty.
    let entries = ((try? fm.contentsOfDirectory(atPath: path)) ?? []).filter { !ResultsStore.isTemporary($0) }
    // An empty directory has nothing to continue, so `--resume` just starts there: a batch
    // task can always pass `--resume`, whether it runs for the first time, was requeued
    // before it wrote anything, or was resubmitted after finishing part of its trials.
    if options.resume && !entries.isEmpty {
      guard let old = store.provenance() else { throw StoreError("--resume: \(path) has no readable config.json") }
      let differing = configDifferences(old, provenance)
      if !differing.isEmpty {
        throw StoreError("--resume: \(path) was run with different settings: \(differing.joined(separator: ", "))")
      }
      warnIfKernelsDiffer([old, provenance], what: "resuming \(path)")
      provenance = withOpenBLASCores(provenance, of: [old, provenance])
    } else if !entries.isEmpty {
      guard options.force else {
        throw StoreError("\(path) is not empty; \(options.restartHint)")
      }
      // Everything an earlier run wrote, so no figure of a problem or key it had stays behind.
      for name in entries where store.isOwnOutput(name) {
        try? fm.removeItem(at: store.directory.appendingPathComponent(name))
      }
    }
  }
  if access(path, W_OK) != 0 { throw StoreError("\(path) is not writable") }
  return lock
}

/// `mkdir -p`, failing with the system's reason (Foundation's message names none).
private func makeDirectories(_ path: String) throws(StoreError) {
  var prefix = path.hasPrefix("/") ? "" : "."
  for part in path.split(separator: "/") {
    prefix += "/" + part
    if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
      throw StoreError("cannot create \(path): \(String(cString: strerror(errno)))")
    }
  }
}

/// One line on stderr when `config.json`s come from different OpenBLAS cores: each core has its
/// own kernels, which round differently, so the records will agree to rounding (about 1e-7
/// relative) rather than bit for bit with a run on one machine type.
func warnIfKernelsDiffer(_ provenances: [JSON], what: String) {
  let cores = openBLASCores(provenances)
  guard cores.count > 1 else { return }
  FileHandle.standardError.write(
    Data(
      ("oneshot: note: \(what) on OpenBLAS cores \(cores.joined(separator: " and ")); their kernels round "
        + "differently, so its records agree with a one-machine run to rounding, not bit for bit\n").utf8))
}

/// Every OpenBLAS core the `config.json`s name, in order of appearance (a resumed or merged
/// study's names several, joined by `+`).
func openBLASCores(_ provenances: [JSON]) -> [String] {
  var cores: [String] = []
  for p in provenances {
    for c in (p["openblas_core"]?.string ?? "").split(separator: "+").map(String.init) where !cores.contains(c) {
      cores.append(c)
    }
  }
  return cores
}

/// `provenance` with `openblas_core` naming every core of `all`.
func withOpenBLASCores(_ provenance: JSON, of all: [JSON]) -> JSON {
  guard case .object(let kv) = provenance else { return provenance }
  let cores = JSON.string(openBLASCores(all).joined(separator: "+"))
  return .object(kv.map { $0.0 == "openblas_core" ? ($0.0, cores) : $0 })
}

/// Names of the configuration keys (and the shard) that differ between two `config.json`s.
func configDifferences(_ old: JSON, _ new: JSON) -> [String] {
  var out: [String] = []
  if case .object(let kv) = new["config"] ?? .null {
    for (k, v) in kv where old["config"]?[k] != v { out.append(k) }
  }
  if old["grid"] != new["grid"] { out.append("grid") }
  if old["shard"] != new["shard"] { out.append("shard") }
  return out
}

/// Data sets by problem, seed and data settings, made once and then shared read-only by all
/// workers (and by the cells of a sweep that do not change the data).
final class SharedData: @unchecked Sendable {
  private var cache: [String: DataSet<Float>] = [:]
  private let lock = NSLock()
  func `for`(_ spec: TrialSpec, _ config: StudyConfig) -> DataSet<Float> {
    let seed = config.dataSeed(forTrial: spec.seed)
    let key = "\(spec.problem.rawValue)/\(seed)/\(config.data)"
    lock.lock()
    defer { lock.unlock() }
    if let d = cache[key] { return d }
    let d = DataSet<Float>(problem: spec.problem, config: config.data, seed: seed)
    if !config.varyData { cache[key] = d }
    return d
  }
}

final class FailureBox: @unchecked Sendable {
  private let lock = NSLock()
  private(set) var message: String?
  func set(_ m: String) {
    lock.lock()
    if message == nil { message = m }
    lock.unlock()
  }
}
