import Autodiff
import InverseProblems
import Numerics

/// Network weights θ.
public typealias Weights<S: Scalar> = ParameterVector<S, WeightRole>
/// Architecture parameters α, one row of `T` per layer.
public typealias Alphas<S: Scalar> = ParameterVector<S, ArchitectureRole>

/// A chain of layers on signal-space estimates (SPEC §3). With α it is the supernet: every
/// layer holds every candidate and mixes their outputs by `softmax(α⁽ʲ⁾)`. Without α it is a
/// discrete chain, one op per layer. One type for both keeps the two forward passes identical.
public final class Network<S: Scalar> {
  /// Candidate ops of each layer (one per layer for a discrete chain).
  public let layers: [[Op]]
  /// Weight offset of each candidate, parallel to `layers`.
  let offsets: [[Int]]
  /// θ of every candidate of every layer.
  public let weights: Weights<S>
  /// α (supernet only), `layers.count × candidates`.
  public let alpha: Alphas<S>?
  /// The forward operator `A`.
  public let problem: ForwardOperator<S>
  public let config: SearchConfig
  /// The `noise` op's own stream: seeded per trial, also used at evaluation.
  public var noise: RandomStream

  /// A network whose weights (and α, when `supernet`) are drawn from `initStream`.
  public init(
    layers: [[Op]], supernet: Bool, problem: ForwardOperator<S>, config: SearchConfig,
    initStream: inout RandomStream, noiseStream: RandomStream
  ) {
    self.layers = layers
    self.problem = problem
    self.config = config
    self.noise = noiseStream
    var total = 0
    offsets = layers.map { ops in
      ops.map { op in
        defer { total += op.parameterCount(config) }
        return total
      }
    }
    weights = Weights(count: total)
    for (j, ops) in layers.enumerated() {
      for (t, op) in ops.enumerated() { op.initialise(weights.value + offsets[j][t], config, &initStream) }
    }
    if supernet {
      let a = Alphas<S>(count: layers.count * layers[0].count)
      for i in 0..<a.count { a.value[i] = S(config.alphaInitScale * initStream.normal()) }
      alpha = a
    } else {
      alpha = nil
    }
  }

  /// The supernet over `ops` in every layer.
  public convenience init(
    supernetOver ops: [Op], problem: ForwardOperator<S>, config: SearchConfig, seed: UInt64, phase: String
  ) {
    var initStream = RandomStream(seed: seed, stream: phase + "/init")
    self.init(
      layers: Array(repeating: ops, count: config.layers), supernet: true, problem: problem, config: config,
      initStream: &initStream, noiseStream: RandomStream(seed: seed, stream: phase + "/noise"))
  }

  /// The discrete chain `architecture`, freshly initialised.
  public convenience init(
    chain architecture: [Op], problem: ForwardOperator<S>, config: SearchConfig, seed: UInt64, phase: String
  ) {
    var initStream = RandomStream(seed: seed, stream: phase + "/init")
    self.init(
      layers: architecture.map { [$0] }, supernet: false, problem: problem, config: config,
      initStream: &initStream, noiseStream: RandomStream(seed: seed, stream: phase + "/noise"))
  }

  /// Records `x̂` for the measurements `y: [1, B, M]`.
  public func forward(_ t: Tape<S>, measurements y: Variable) -> Variable {
    var x = t.applyAdjoint(problem, y)
    let candidates = layers[0].count
    for (j, ops) in layers.enumerated() {
      let outs = ops.enumerated().map { k, op in
        op.forward(
          t, x: x, y: y, weights: weights, offset: offsets[j][k], problem: problem, config: config, noise: &noise)
      }
      if let alpha {
        let beta = t.softmax(alpha.leaf(t, j * candidates, .vector(candidates)))
        x = t.weightedSum(outs, weights: beta)
      } else {
        x = outs[0]
      }
    }
    return x
  }

  /// Records the batch `indices` of `split` as constants `(x, y)` shaped `[1, B, ·]`.
  public func batch(_ t: Tape<S>, _ split: Split<S>, _ indices: ArraySlice<Int>) -> (truth: Variable, y: Variable) {
    func gather(_ src: Tensor<S>) -> Variable {
      let w = src.shape[1]
      return t.constant(dims: Dims(1, indices.count, w)) { dst in
        src.storage.withUnsafeBufferPointer { s in
          for (b, i) in indices.enumerated() { (dst + b * w).update(from: s.baseAddress! + i * w, count: w) }
        }
      }
    }
    return (gather(split.truth), gather(split.measurements))
  }

  /// Records the mean squared error on a batch.
  public func loss(_ t: Tape<S>, _ split: Split<S>, _ indices: ArraySlice<Int>) -> Variable {
    let (x, y) = batch(t, split, indices)
    return t.mse(forward(t, measurements: y), x)
  }

  /// Mean PSNR over a whole split, forward only, in chunks of `config.evalBatch`.
  public func psnr(on split: Split<S>, tape t: Tape<S>) -> Double {
    let frozen = (weights.frozen, alpha?.frozen ?? true)
    weights.frozen = true
    alpha?.frozen = true
    defer {
      weights.frozen = frozen.0
      alpha?.frozen = frozen.1
    }
    let all = Array(0..<split.count)
    var total = 0.0
    for start in stride(from: 0, to: split.count, by: max(config.evalBatch, 1)) {
      t.reset()
      let idx = all[start..<min(start + config.evalBatch, split.count)]
      let (x, y) = batch(t, split, idx)
      let xhat = forward(t, measurements: y)
      total += PSNR.sum(t.value(xhat), t.value(x), batch: idx.count, length: t.dims(x).d2)
    }
    t.reset()
    return total / Double(split.count)
  }

  /// `argmax α⁽ʲ⁾` per layer, ties to the lowest op index (SPEC §5).
  public func discretise() -> [Op] {
    guard let alpha else { return layers.map { $0[0] } }
    let n = layers[0].count
    return layers.indices.map { j in
      var best = 0
      for k in 1..<n where alpha.value[j * n + k] > alpha.value[j * n + best] { best = k }
      return layers[j][best]
    }
  }

  /// `softmax(α⁽ʲ⁾)` per layer, in Double (empty for a discrete chain).
  public func mixingWeights() -> [[Double]] {
    guard let alpha else { return [] }
    let n = layers[0].count
    return layers.indices.map { j in
      let row = (0..<n).map { Double(alpha.value[j * n + $0]) }
      let m = row.max()!
      let e = row.map { Double.exp($0 - m) }
      let s = e.reduce(0, +)
      return e.map { $0 / s }
    }
  }

  /// Raw α per layer, in Double.
  public func alphaRows() -> [[Double]] {
    guard let alpha else { return [] }
    let n = layers[0].count
    return layers.indices.map { j in (0..<n).map { Double(alpha.value[j * n + $0]) } }
  }
}
