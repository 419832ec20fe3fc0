import Autodiff
import Foundation
import InverseProblems
import Numerics

/// The candidate operations of SPEC §4, in the order that fixes α's columns and argmax ties.
public enum Op: String, CaseIterable, Codable, Sendable {
  case grad, net, roll, noise

  /// Whether the study counts the op as harmful.
  public var isHarmful: Bool { self == .roll || self == .noise }

  /// Learnable parameters of one instance.
  func parameterCount(_ c: SearchConfig) -> Int {
    switch self {
    case .grad: return 1
    case .net: return 2 * c.channels * c.kernelWidth + c.channels + 1
    case .roll, .noise: return 0
    }
  }

  /// Writes the initial parameters (SPEC §4) at `p`.
  func initialise<S: Scalar>(_ p: UnsafeMutablePointer<S>, _ c: SearchConfig, _ rng: inout RandomStream) {
    switch self {
    case .grad: p[0] = S(c.stepInit)
    case .net:
      let k = c.kernelWidth, ch = c.channels
      let b1 = (6.0 / Double(k)).squareRoot(), b2 = (6.0 / Double(ch * k)).squareRoot()
      for i in 0..<(ch * k) { p[i] = S(rng.uniform(-b1, b1)) }
      for i in 0..<ch { p[ch * k + i] = 0 }
      let w2 = ch * k + ch
      for i in 0..<(ch * k) { p[w2 + i] = S(rng.uniform(-b2, b2) * c.netOutputScale) }
      p[w2 + ch * k] = 0
    case .roll, .noise: break
    }
  }

  /// Records the op applied to `x` (signals `[1, B, L]`) with measurements `y`.
  func forward<S: Scalar>(
    _ t: Tape<S>, x: Variable, y: Variable, weights: Weights<S>, offset: Int,
    problem a: ForwardOperator<S>, config c: SearchConfig, noise: inout RandomStream
  ) -> Variable {
    switch self {
    case .grad:  // x − τ · Aᵀ(A x − y)
      let residual = t.sub(t.apply(a, x), y)
      let tau = weights.leaf(t, offset, .scalar)
      return t.sub(x, t.scale(t.applyAdjoint(a, residual), by: tau))
    case .net:  // x + W₂ ∗ relu(W₁ ∗ x + b₁) + b₂
      let k = c.kernelWidth, ch = c.channels
      let w1 = weights.leaf(t, offset, Dims(ch, 1, k))
      let b1 = weights.leaf(t, offset + ch * k, .vector(ch))
      let w2 = weights.leaf(t, offset + ch * k + ch, Dims(1, ch, k))
      let b2 = weights.leaf(t, offset + 2 * ch * k + ch, .vector(1))
      let hidden = t.conv1d(x, w1, bias: b1, relu: true)
      return t.add(x, t.conv1d(hidden, w2, bias: b2))
    case .roll:
      return t.roll(x, by: c.rollShift)
    case .noise:
      return t.noise(t.dims(x), from: &noise)
    }
  }
}

/// The op sets of SPEC §4.
public enum OpSet: String, CaseIterable, Codable, Sendable {
  case all, good
  /// The candidates, in α's column order.
  public var ops: [Op] { self == .all ? Op.allCases : [.grad, .net] }
}
