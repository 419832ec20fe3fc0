import Autodiff
import InverseProblems
import Numerics

/// Where and why a run stopped being finite (SPEC §6: the trial is kept and marked diverged).
public struct Divergence: Error, Equatable, Sendable, Codable {
  /// `search` or `retrain`.
  public var phase: String
  /// 0-based epoch and global step at which it was detected.
  public var epoch: Int
  public var step: Int
  /// What was not finite: `train loss`, `validation loss`, `weights`, `alpha`, or the `test output` /
  /// `one-shot validation output` when the trained network is evaluated.
  public var what: String
}

/// The training loop shared by the search (with an architect) and the retraining (without):
/// per epoch, fresh permutations of `train` (and `val`), then per step an α update on a `val`
/// batch followed by a θ update on a `train` batch (SPEC §5).
public struct Trainer<S: Scalar> {
  public let net: Network<S>
  public let data: DataSet<S>
  public let tape: Tape<S>
  public var architect: Architect<S>?
  var optimizer: WeightOptimizer<S>
  var batches: RandomStream
  let epochs: Int
  let phase: String

  public init(net: Network<S>, data: DataSet<S>, epochs: Int, seed: UInt64, phase: String, kernel: ConvolutionKernel) {
    self.net = net
    self.data = data
    self.tape = Tape(kernel: kernel)
    self.epochs = epochs
    self.phase = phase
    let c = net.config
    optimizer = WeightOptimizer(
      count: net.weights.count, config: c, totalSteps: epochs * (data.train.count / c.batchSize))
    batches = Trainer.batchStream(seed: seed, phase: phase)
    architect = net.alpha.map { Architect(alphaCount: $0.count, config: c) }
  }

  /// The stream the batch permutations are drawn from: per epoch `train`'s, then `val`'s when
  /// there is an architect (public so a replay elsewhere can draw the same order).
  public static func batchStream(seed: UInt64, phase: String) -> RandomStream {
    RandomStream(seed: seed, stream: phase + "/batches")
  }

  /// Runs every epoch; `afterEpoch` sees the network at the end of each. Throws the first
  /// divergence. A network whose loss no weight reaches (e.g. ending in `noise`) and that has
  /// no α is left as initialised: there is nothing to train.
  public mutating func run(afterEpoch: (Int, Network<S>) -> Void = { _, _ in }) throws(Divergence) {
    let b = net.config.batchSize
    let trainSteps = data.train.count / b, valSteps = data.val.count / b
    var trainOrder: [Int] = [], valOrder: [Int] = []
    var t = 0
    var weightsReachLoss = true
    for epoch in 0..<epochs {
      batches.permutation(data.train.count, into: &trainOrder)
      if architect != nil { batches.permutation(data.val.count, into: &valOrder) }
      for i in 0..<trainSteps {
        let lr = optimizer.learningRate(at: t)
        let trainBatch = Batch(data.train, trainOrder[(i * b)..<((i + 1) * b)])
        if architect != nil {
          let v = (i % valSteps) * b
          let loss = architect!.step(net, tape, train: trainBatch, val: Batch(data.val, valOrder[v..<(v + b)]), xi: lr)
          try check(loss.isFinite, "validation loss", epoch, t)
          try check(net.alpha!.isFinite, "alpha", epoch, t)
        }
        if weightsReachLoss && net.weights.count > 0 {
          tape.reset()
          let l = net.loss(tape, trainBatch.split, trainBatch.indices)
          try check(tape.scalar(l).isFinite, "train loss", epoch, t)
          weightsReachLoss = tape.backward(l)
          if weightsReachLoss {
            optimizer.step(net.weights, at: t)
            try check(net.weights.isFinite, "weights", epoch, t)
          }
        }
        t += 1
      }
      afterEpoch(epoch, net)
      if architect == nil && (!weightsReachLoss || net.weights.count == 0) { break }
    }
  }

  /// A non-finite output when the trained network is evaluated: placed after the last step.
  func evaluationDivergence(_ what: String) -> Divergence {
    let steps = epochs * (data.train.count / net.config.batchSize)
    return Divergence(phase: phase, epoch: epochs, step: steps, what: what)
  }

  private func check(_ ok: Bool, _ what: String, _ epoch: Int, _ step: Int) throws(Divergence) {
    if !ok { throw Divergence(phase: phase, epoch: epoch, step: step, what: what) }
  }
}

/// What a search produced (SPEC §5).
public struct SearchOutcome: Sendable {
  /// `argmax α` per layer (nil when the search diverged).
  public var architecture: [Op]?
  /// Raw α per layer at the end.
  public var alpha: [[Double]]
  /// `softmax(α)` per layer at the end of every epoch.
  public var alphaHistory: [[[Double]]]
  /// The supernet's PSNR on the whole `val` split.
  public var oneShotValidationPSNR: Double?
  public var divergence: Divergence?
}

/// What a retraining produced (SPEC §6).
public struct RetrainOutcome: Sendable {
  /// Mean PSNR on the `test` split (nil when diverged).
  public var architecturePSNR: Double?
  public var divergence: Divergence?
}

/// Runs one DARTS search over `ops` with the trial's `seed`.
public func searchArchitecture<S: Scalar>(
  ops: [Op], problem: ForwardOperator<S>, data: DataSet<S>, config: SearchConfig, seed: UInt64,
  kernel: ConvolutionKernel
) -> SearchOutcome {
  let net = Network(supernetOver: ops, problem: problem, config: config, seed: seed, phase: "search")
  var trainer = Trainer(net: net, data: data, epochs: config.searchEpochs, seed: seed, phase: "search", kernel: kernel)
  var history: [[[Double]]] = []
  var outcome = SearchOutcome(architecture: nil, alpha: [], alphaHistory: [], oneShotValidationPSNR: nil)
  do throws(Divergence) {
    try trainer.run { _, n in history.append(n.mixingWeights()) }
    let p = net.psnr(on: data.val, tape: trainer.tape)
    if p.isNaN { throw trainer.evaluationDivergence("one-shot validation output") }
    outcome.oneShotValidationPSNR = p
    outcome.architecture = net.discretise()
  } catch {
    outcome.divergence = error
  }
  outcome.alpha = net.alphaRows()
  outcome.alphaHistory = history
  return outcome
}

/// Trains `architecture` from scratch with the trial's `seed` and evaluates it on `test`.
public func retrain<S: Scalar>(
  architecture: [Op], problem: ForwardOperator<S>, data: DataSet<S>, config: SearchConfig, seed: UInt64,
  kernel: ConvolutionKernel
) -> RetrainOutcome {
  let net = Network(chain: architecture, problem: problem, config: config, seed: seed, phase: "retrain")
  var trainer = Trainer(net: net, data: data, epochs: config.retrainEpochs, seed: seed, phase: "retrain", kernel: kernel)
  do throws(Divergence) {
    try trainer.run()
    let p = net.psnr(on: data.test, tape: trainer.tape)
    if p.isNaN { throw trainer.evaluationDivergence("test output") }
    return RetrainOutcome(architecturePSNR: p, divergence: nil)
  } catch {
    return RetrainOutcome(architecturePSNR: nil, divergence: error)
  }
}
