import Autodiff
import InverseProblems
import Numerics
import Search

/// Sizes small enough for debug-build tests; every mechanism is the same as at SPEC sizes.
func tinyConfigs() -> (ProblemConfig, SearchConfig) {
  var p = ProblemConfig()
  p.length = 16
  p.trainSize = 16
  p.valSize = 16
  p.testSize = 16
  var s = SearchConfig()
  s.layers = 2
  s.channels = 3
  s.kernelWidth = 3
  s.rollShift = 3
  s.batchSize = 8
  s.searchEpochs = 2
  s.retrainEpochs = 2
  s.alphaInitScale = 0.5  // away from the symmetric start, so α gradients are not all alike
  return (p, s)
}

/// A tiny supernet (or chain) in Double with its data.
func tinyNetwork(
  ops: [Op], supernet: Bool = true, problem: Problem = .blur, seed: UInt64 = 1, configure: (inout SearchConfig) -> Void = { _ in }
) -> (Network<Double>, DataSet<Double>) {
  var (p, s) = tinyConfigs()
  configure(&s)
  let a: ForwardOperator<Double> = problem.forwardOperator(p)
  let data = DataSet<Double>(problem: problem, config: p, seed: 0)
  let net =
    supernet
    ? Network(supernetOver: ops, problem: a, config: s, seed: seed, phase: "test")
    : Network(chain: ops, problem: a, config: s, seed: seed, phase: "test")
  return (net, data)
}

/// The loss on a fixed batch with a fixed draw of the `noise` op, as a function of the parameters.
func lossAt(_ net: Network<Double>, _ tape: Tape<Double>, _ split: Split<Double>, noise: RandomStream) -> Double {
  net.noise = noise
  tape.reset()
  return tape.scalar(net.loss(tape, split, idx(0..<8)))
}

func maxAbsDiff(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).map { abs($0 - $1) }.max() ?? 0 }

/// Batch indices from a range.
func idx(_ r: Range<Int>) -> ArraySlice<Int> { Array(r)[...] }
