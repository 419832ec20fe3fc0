import Search

/// The rows of the study (SPEC §7).
public enum Method: String, CaseIterable, Codable, Sendable {
  case dartsGood = "darts-good"
  case dartsAll = "darts-all"
  case random
  case gradOnly = "grad-only"
  case netsOnly = "nets-only"

  /// The op set a DARTS method searches over (nil for the fixed and random rows).
  public var searchOps: OpSet? {
    switch self {
    case .dartsGood: return .good
    case .dartsAll: return .all
    default: return nil
    }
  }

  /// Whether trials run a search (and so have a one-shot score).
  public var isDARTS: Bool { searchOps != nil }
}
