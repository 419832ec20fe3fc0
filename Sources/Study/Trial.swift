import Foundation
import InverseProblems
import Numerics
import Search

/// One trial of the plan: a method on a problem with its index within the row.
public struct TrialSpec: Sendable, Equatable {
  public var method: Method
  public var problem: Problem
  /// Index within the (method, problem) row.
  public var trial: Int
  /// Position in the whole plan (what `--shard K/N` selects on).
  public var index: Int
  /// Derived from (study seed, method, problem, trial) by SplitMix64 — never from scheduling,
  /// nor from the sweep cell, so a cell's trials are those of the plain study.
  public var seed: UInt64
  /// The sweep cell whose configuration the trial runs (0 in a plain study).
  public var cell = 0
}

extension StudyConfig {
  /// Every trial of the study in a fixed order: problems, then methods, then trial index.
  public var plan: [TrialSpec] {
    var out: [TrialSpec] = []
    for p in problems {
      for m in methods {
        for i in 0..<trials {
          let s = deriveSeed(seed, stableHash(m.rawValue), stableHash(p.rawValue), UInt64(i)) >> 11
          out.append(TrialSpec(method: m, problem: p, trial: i, index: out.count, seed: s))
        }
      }
    }
    return out
  }

  /// The number of trials in `plan`, without building it.
  var planSize: Int { problems.count * methods.count * trials }

  /// The data a trial with `trialSeed` sees: the study's shared data, or its own with `varyData`.
  func dataSeed(forTrial trialSeed: UInt64) -> UInt64 { varyData ? deriveSeed(trialSeed, 0xDA7A) >> 11 : dataSeed }
}

/// The outcome of one trial, as written to `results.jsonl`.
public struct TrialRecord: Sendable {
  public var spec: TrialSpec
  public var configHash: String
  /// The sweep cell's index and swept values (nil in a plain study, whose records have no cell keys).
  public var cell: (index: Int, values: [(String, JSON)])?
  public var architecture: [Op]?
  public var alpha: [[Double]]?
  public var alphaHistory: [[[Double]]]?
  public var oneShotValidationPSNR: Double?
  public var architecturePSNR: Double?
  public var divergence: Divergence?
  public var seconds: Double

  /// Whether the trial counts as diverged.
  public var diverged: Bool { divergence != nil }

  /// The JSON line (keys in a fixed order).
  public var json: JSON {
    var kv: [(String, JSON)] = [
      ("method", .string(spec.method.rawValue)),
      ("problem", .string(spec.problem.rawValue)),
      ("trial", .number(Double(spec.trial))),
      ("index", .number(Double(spec.index))),
    ]
    if let cell { kv += [("cell_index", .number(Double(cell.index))), ("cell", .object(cell.values))] }
    kv += [
      ("seed", .number(Double(spec.seed))),
      ("config_hash", .string(configHash)),
      ("architecture", architecture.map { .array($0.map { .string($0.rawValue) }) } ?? .null),
      ("alpha", alpha.map { .array($0.map { .array($0.map { .num($0) }) }) } ?? .null),
      ("alpha_history", alphaHistory.map { .array($0.map { .array($0.map { .array($0.map { .num($0) }) }) }) } ?? .null),
      ("oneshot_val_psnr", .num(oneShotValidationPSNR)),
      ("architecture_psnr", .num(architecturePSNR)),
      ("diverged", .bool(diverged)),
    ]
    kv.append(("divergence", divergence.map(\.json) ?? .null))
    kv.append(("seconds", .number((seconds * 1000).rounded() / 1000)))
    return .object(kv)
  }
}

extension TrialRecord {
  /// What makes `r` unreadable as a trial record (a key missing or of the wrong type), or
  /// nil. The report, resume and merge read only records that pass, so a hand-edited or
  /// foreign line is refused by name instead of silently changing the statistics.
  public static func malformation(_ r: JSON) -> String? {
    guard case .object = r else { return "not a JSON object" }
    func present(_ key: String) -> JSON? { r[key].flatMap { $0 == .null ? nil : $0 } }
    for key in ["method", "problem", "config_hash"] where r[key]?.string == nil { return "\(key) is missing or not a string" }
    for key in ["trial", "index", "seed"] where (r[key]?.int ?? -1) < 0 { return "\(key) is missing or not a whole number ≥ 0" }
    guard let diverged = r["diverged"]?.bool else { return "diverged is missing or not true/false" }
    if r["seconds"]?.double == nil { return "seconds is missing or not a number" }
    if let a = present("architecture"), a.array?.allSatisfy({ $0.string != nil }) != true {
      return "architecture is not an array of op names"
    }
    if r["architecture"] == nil { return "architecture is missing" }
    for key in ["oneshot_val_psnr", "architecture_psnr"] {
      guard let v = r[key] else { return "\(key) is missing" }
      if v != .null && v.double == nil { return "\(key) is not a number or null" }
    }
    if !diverged && (present("architecture_psnr") == nil || present("architecture") == nil) {
      return "a trial that did not diverge needs its architecture and architecture_psnr"
    }
    return nil
  }
}

/// Runs one trial: search (DARTS rows), or draw / fix the architecture, then retrain and
/// evaluate. Depends only on `config` and `spec`.
public func runTrial(_ spec: TrialSpec, config: StudyConfig, data: DataSet<Float>) -> TrialRecord {
  let start = Date()
  let op: ForwardOperator<Float> = spec.problem.forwardOperator(config.data, kernel: config.kernel)
  var record = TrialRecord(spec: spec, configHash: config.hash, seconds: 0)
  var architecture: [Op]
  if let opSet = spec.method.searchOps {
    let s = searchArchitecture(
      ops: opSet.ops, problem: op, data: data, config: config.search, seed: spec.seed, kernel: config.kernel)
    record.alpha = s.alpha
    record.alphaHistory = s.alphaHistory
    record.oneShotValidationPSNR = s.oneShotValidationPSNR
    record.architecture = s.architecture
    guard let a = s.architecture else {
      record.divergence = s.divergence
      record.seconds = Date().timeIntervalSince(start)
      return record
    }
    architecture = a
  } else if spec.method == .random {
    var rng = RandomStream(seed: spec.seed, stream: "random-architecture")
    architecture = (0..<config.search.layers).map { _ in Op.allCases[rng.index(below: Op.allCases.count)] }
  } else {
    architecture = Array(repeating: spec.method == .gradOnly ? .grad : .net, count: config.search.layers)
  }
  record.architecture = architecture
  let r = retrain(
    architecture: architecture, problem: op, data: data, config: config.search, seed: spec.seed, kernel: config.kernel)
  record.architecturePSNR = r.architecturePSNR
  record.divergence = r.divergence
  record.seconds = Date().timeIntervalSince(start)
  return record
}
