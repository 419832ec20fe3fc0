import Search

/// How often each op was chosen in each layer among the architectures of one row.
struct OpFrequency {
  var ops: [String]
  var layers: Int
  /// `counts[op][layer]`.
  var counts: [[Int]]
  /// Architectures counted (trials whose search did not diverge).
  var architectures: Int

  init(_ outcomes: [TrialOutcome], ops: [String]) {
    let archs = outcomes.compactMap(\.architecture)
    self.ops = ops
    layers = archs.map(\.count).max() ?? 0
    architectures = archs.count
    counts = Array(repeating: Array(repeating: 0, count: layers), count: ops.count)
    for a in archs {
      for (layer, name) in a.enumerated() {
        if let o = ops.firstIndex(of: name) { counts[o][layer] += 1 }
      }
    }
  }

  func share(op: Int, layer: Int) -> Double { architectures == 0 ? 0 : Double(counts[op][layer]) / Double(architectures) }
}

/// Whether an architecture holds an op the study counts as harmful (SPEC §4: `roll`, `noise`).
func hasHarmfulOp(_ architecture: [String]) -> Bool {
  architecture.contains { Op(rawValue: $0)?.isHarmful ?? false }
}

/// The kinds of architecture that the poster's "mixed beats plain" finding compares.
enum ArchitectureKind: String, CaseIterable {
  case mixed = "mixed grad + net"
  case allGrad = "all grad"
  case allNet = "all net"
  case harmful = "with roll or noise"

  init?(_ architecture: [String]) {
    guard !architecture.isEmpty else { return nil }
    if hasHarmfulOp(architecture) {
      self = .harmful
    } else if architecture.allSatisfy({ $0 == "grad" }) {
      self = .allGrad
    } else if architecture.allSatisfy({ $0 == "net" }) {
      self = .allNet
    } else if architecture.allSatisfy({ $0 == "grad" || $0 == "net" }) {
      self = .mixed
    } else {
      return nil
    }
  }

  /// Whether the kind is a plain chain of one good op.
  var isPlain: Bool { self == .allGrad || self == .allNet }

  /// Architecture PSNRs (finite, of trials that did not diverge) of each kind, pooled over
  /// every method: the question is about architectures, however they were found.
  static func psnrs(_ outcomes: [TrialOutcome]) -> [ArchitectureKind: [Double]] {
    var out: [ArchitectureKind: [Double]] = [:]
    for o in outcomes {
      guard let a = o.architecture, let kind = ArchitectureKind(a), let p = o.architecturePSNR, p.isFinite else { continue }
      out[kind, default: []].append(p)
    }
    return out
  }
}
