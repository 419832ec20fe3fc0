import Autodiff
import Foundation
import Numerics

/// Adam (Kingma & Ba) with PyTorch's bias correction and ε placement, over one role's flat
/// parameter vector. The role in the type is the guarantee that the weight optimiser never
/// sees α and the architect's optimiser never sees θ.
public struct Adam<S: Scalar, Role> {
  public var beta1: Double
  public var beta2: Double
  public var epsilon = 1e-8
  /// Coupled L2 decay: `g ← g + decay · p` before the moments (as DARTS's α optimiser).
  public var decay: Double
  /// Steps taken.
  public private(set) var steps = 0
  var m: [S]
  var v: [S]

  public init(count: Int, beta1: Double, beta2: Double, decay: Double = 0) {
    self.beta1 = beta1
    self.beta2 = beta2
    self.decay = decay
    m = [S](repeating: 0, count: count)
    v = [S](repeating: 0, count: count)
  }

  /// One update of `p` from its current gradient with learning rate `lr`.
  public mutating func step(_ p: ParameterVector<S, Role>, lr: Double) {
    steps += 1
    let b1 = S(beta1), b2 = S(beta2), wd = S(decay)
    let c1 = 1 - Foundation.pow(beta1, Double(steps))
    let c2 = (1 - Foundation.pow(beta2, Double(steps))).squareRoot()
    let stepSize = S(lr / c1), invC2 = S(1 / c2), eps = S(epsilon)
    let value = p.value, grad = p.grad
    m.withUnsafeMutableBufferPointer { m in
      v.withUnsafeMutableBufferPointer { v in
        for i in 0..<p.count {
          let g = grad[i] + wd * value[i]
          m[i] = b1 * m[i] + (1 - b1) * g
          v[i] = b2 * v[i] + (1 - b2) * g * g
          value[i] -= stepSize * m[i] / (v[i].squareRoot() * invC2 + eps)
        }
      }
    }
  }
}

/// The weight optimiser of SPEC §5: Adam on θ with a per-step cosine schedule and a global
/// gradient-norm clip.
public struct WeightOptimizer<S: Scalar> {
  var adam: Adam<S, WeightRole>
  let config: SearchConfig
  /// Steps in the whole run (`T` of the schedule).
  public let totalSteps: Int

  public init(count: Int, config: SearchConfig, totalSteps: Int) {
    adam = Adam(count: count, beta1: config.weightBeta1, beta2: config.weightBeta2)
    self.config = config
    self.totalSteps = totalSteps
  }

  /// `lr · ½(1 + cos(π t / T))`.
  public func learningRate(at t: Int) -> Double {
    config.weightLR * 0.5 * (1 + Foundation.cos(Double.pi * Double(t) / Double(max(totalSteps, 1))))
  }

  /// Clips the gradient to norm `gradientClip` (PyTorch's rule; 0 turns clipping off rather
  /// than zeroing every step) and takes one Adam step.
  public mutating func step(_ w: Weights<S>, at t: Int) {
    if config.gradientClip > 0 { clip(w) }
    adam.step(w, lr: learningRate(at: t))
  }

  func clip(_ w: Weights<S>) {
    var sq = 0.0
    for i in 0..<w.count { sq += Double(w.grad[i]) * Double(w.grad[i]) }
    let norm = sq.squareRoot()
    let coef = config.gradientClip / (norm + 1e-6)
    if coef < 1 {
      let c = S(coef)
      for i in 0..<w.count { w.grad[i] *= c }
    }
  }
}
