import InverseProblems
import Search

/// What the report needs of one `results.jsonl` record.
struct TrialOutcome {
  var method: String
  var problem: String
  var trial: Int
  /// The chosen (or drawn, or fixed) architecture; nil when the search diverged.
  var architecture: [String]?
  /// One-shot validation PSNR of a DARTS trial, if finite.
  var oneShotPSNR: Double?
  /// Architecture PSNR, if the trial did not diverge (may be +inf for a perfect fit).
  var architecturePSNR: Double?
  var diverged: Bool

  /// Reads a record; nil when it lacks a method or problem (not a trial record).
  init?(_ r: JSON) {
    guard let m = r["method"]?.string, let p = r["problem"]?.string else { return nil }
    method = m
    problem = p
    trial = r["trial"]?.int ?? 0
    architecture = r["architecture"]?.array?.compactMap(\.string)
    oneShotPSNR = r["oneshot_val_psnr"]?.double.flatMap { $0.isFinite ? $0 : nil }
    diverged = r["diverged"]?.bool ?? false
    architecturePSNR = diverged ? nil : r["architecture_psnr"]?.double.flatMap { $0.isNaN ? nil : $0 }
  }

  var isDARTS: Bool { Method(rawValue: method)?.isDARTS ?? false }

  /// Both scores finite: the trial is a point of Figure 2.
  var scatterPoint: (x: Double, y: Double)? {
    guard let x = oneShotPSNR, let y = architecturePSNR, y.isFinite else { return nil }
    return (x, y)
  }
}

/// The study's order of problems and methods (the plan's), unknown names last.
enum StudyOrder {
  static func problems(_ names: some Sequence<String>) -> [String] {
    sorted(Set(names), Problem.allCases.map(\.rawValue))
  }
  static func methods(_ names: some Sequence<String>) -> [String] {
    sorted(Set(names), Method.allCases.map(\.rawValue))
  }
  /// The op names found in architectures, after the candidates of SPEC §4 in α's order.
  static func ops(_ names: some Sequence<String>) -> [String] {
    let known = Op.allCases.map(\.rawValue)
    return known + sorted(Set(names).subtracting(known), [])
  }

  private static func sorted(_ names: Set<String>, _ order: [String]) -> [String] {
    names.sorted { ((order.firstIndex(of: $0) ?? order.count), $0) < ((order.firstIndex(of: $1) ?? order.count), $1) }
  }
}
