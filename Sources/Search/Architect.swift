import Autodiff
import InverseProblems
import Numerics

/// Owns α's optimiser and computes α's gradient, first order or through the one-step unrolled
/// approximation (SPEC §5). The weights it touches for the unrolled step are restored bit for
/// bit before it returns; it never steps them.
public struct Architect<S: Scalar> {
  var adam: Adam<S, ArchitectureRole>
  public let order: SearchConfig.Order
  let lr: Double
  // Reused buffers: saved θ, v = ∇θ' L_val, and α-gradients of the unrolled step.
  var savedWeights: [S] = []
  var direction: [S] = []
  var alphaGrad: [S] = []
  var plus: [S] = []

  public init(alphaCount: Int, config: SearchConfig) {
    adam = Adam(count: alphaCount, beta1: config.alphaBeta1, beta2: config.alphaBeta2, decay: config.alphaWeightDecay)
    order = config.order
    lr = config.alphaLR
  }

  /// One α update from the batches `(train, val)`; `xi` is the current weight learning rate.
  /// Returns the validation loss seen (for divergence checks).
  public mutating func step(
    _ net: Network<S>, _ tape: Tape<S>, train: Batch<S>, val: Batch<S>, xi: Double
  ) -> Double {
    guard let alpha = net.alpha else { return 0 }
    let loss: Double
    switch order {
    case .first:
      net.weights.frozen = true
      defer { net.weights.frozen = false }
      tape.reset()
      let l = net.loss(tape, val.split, val.indices)
      tape.backward(l)
      loss = Double(tape.scalar(l))
    case .second:
      loss = unrolledGradient(net, tape, train: train, val: val, xi: xi)
      alphaGrad.withUnsafeBufferPointer { alpha.grad.update(from: $0.baseAddress!, count: alpha.count) }
    }
    adam.step(alpha, lr: lr)
    return loss
  }

  /// Writes into `alphaGrad` the second-order gradient
  /// `∇α L_val(θ', α) − ξ · (∇α L_train(θ⁺) − ∇α L_train(θ⁻)) / 2ε`, `θ' = θ − ξ ∇θ L_train(θ)`,
  /// `θ± = θ ± εv`, and restores θ exactly (mixedProduct leaves it at its entry value).
  /// Returns `L_val(θ')`.
  mutating func unrolledGradient(
    _ net: Network<S>, _ tape: Tape<S>, train: Batch<S>, val: Batch<S>, xi: Double
  ) -> Double {
    let w = net.weights, alpha = net.alpha!
    savedWeights = w.values
    // θ' = θ − ξ ∇θ L_train(θ, α)
    alpha.frozen = true
    tape.reset()
    tape.backward(net.loss(tape, train.split, train.indices))
    alpha.frozen = false
    let sxi = S(xi)
    for i in 0..<w.count { w.value[i] -= sxi * w.grad[i] }
    // ∇α L_val(θ', α) and v = ∇θ' L_val(θ', α)
    tape.reset()
    let lval = net.loss(tape, val.split, val.indices)
    let validationLoss = Double(tape.scalar(lval))
    tape.backward(lval)
    alphaGrad = alpha.gradient
    direction = w.gradient
    // θ± = θ ± εv around the real weights, not θ' (SPEC §5, as the original DARTS code).
    w.values = savedWeights
    let hvp = mixedProduct(net, tape, train: train, direction: direction, epsilon: nil)
    for i in 0..<alpha.count { alphaGrad[i] -= sxi * hvp[i] }
    return validationLoss
  }

  /// `(∇α L_train(θ + εv) − ∇α L_train(θ − εv)) / 2ε ≈ (∂²L_train/∂α∂θ) v` with
  /// `ε = 0.01/‖v‖` unless given. Zero when `‖v‖ = 0` (the product is then exactly zero).
  /// Both evaluations see the same draws of the `noise` op, so the difference measures θ's
  /// effect alone. θ is left at whatever it was on entry.
  public mutating func mixedProduct(
    _ net: Network<S>, _ tape: Tape<S>, train: Batch<S>, direction v: [S], epsilon: Double?
  ) -> [S] {
    let w = net.weights, alpha = net.alpha!
    let base = w.values
    var sq = 0.0
    for x in v { sq += Double(x) * Double(x) }
    let norm = sq.squareRoot()
    guard norm > 0, norm.isFinite else { return [S](repeating: 0, count: alpha.count) }
    let eps = epsilon ?? 0.01 / norm
    let noiseState = net.noise
    func alphaGradient(at sign: Double) -> [S] {
      let e = S(sign * eps)
      for i in 0..<w.count { w.value[i] = base[i] + e * v[i] }
      net.noise = noiseState
      w.frozen = true
      defer { w.frozen = false }
      tape.reset()
      tape.backward(net.loss(tape, train.split, train.indices))
      return alpha.gradient
    }
    plus = alphaGradient(at: 1)
    let minus = alphaGradient(at: -1)
    w.values = base
    let scale = 1 / (2 * eps)
    return (0..<alpha.count).map { S(Double(plus[$0] - minus[$0]) * scale) }
  }
}

/// A minibatch: indices into one split.
public struct Batch<S: Scalar> {
  public let split: Split<S>
  public let indices: ArraySlice<Int>
  public init(_ split: Split<S>, _ indices: ArraySlice<Int>) {
    self.split = split
    self.indices = indices
  }
}
