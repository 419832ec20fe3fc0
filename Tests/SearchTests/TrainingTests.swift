import Autodiff
import InverseProblems
import Numerics
import Search
import XCTest

final class TrainingTests: XCTestCase {
  func testTheArchitectStepNeverChangesTheWeightsInEitherOrder() {
    for order in SearchConfig.Order.allCases {
      let (net, data) = tinyNetwork(ops: Op.allCases) { $0.order = order }
      var architect = Architect<Double>(alphaCount: net.alpha!.count, config: net.config)
      let theta = net.weights.values, alpha = net.alpha!.values
      _ = architect.step(net, Tape(), train: Batch(data.train, idx(0..<8)), val: Batch(data.val, idx(0..<8)), xi: 0.01)
      XCTAssertEqual(net.weights.values, theta, "\(order)")
      XCTAssertNotEqual(net.alpha!.values, alpha, "\(order)")
    }
  }

  func testTheWeightStepsNeverChangeAlpha() {
    // With α's learning rate at zero, only the weight optimiser could move α.
    let (net, data) = tinyNetwork(ops: Op.allCases) { $0.alphaLR = 0 }
    let alpha = net.alpha!.values, theta = net.weights.values
    var trainer = Trainer(net: net, data: data, epochs: 2, seed: 3, phase: "test", kernel: .blas)
    XCTAssertNoThrow(try trainer.run())
    XCTAssertEqual(net.alpha!.values, alpha)
    XCTAssertNotEqual(net.weights.values, theta)
  }

  func testCosineScheduleStartsAtTheRateAndEndsNearZero() {
    var c = SearchConfig()
    c.weightLR = 0.01
    let o = WeightOptimizer<Float>(count: 1, config: c, totalSteps: 100)
    XCTAssertEqual(o.learningRate(at: 0), 0.01, accuracy: 1e-15)
    XCTAssertEqual(o.learningRate(at: 50), 0.005, accuracy: 1e-15)
    XCTAssertEqual(o.learningRate(at: 100), 0, accuracy: 1e-15)
  }

  /// One weight-optimiser step from gradient `g` with clip `clip`, on weights starting at 0.
  func stepOnce(clip: Double, _ g: [Double]) -> Weights<Double> {
    var c = SearchConfig()
    c.gradientClip = clip
    var o = WeightOptimizer<Double>(count: g.count, config: c, totalSteps: 10)
    let w = Weights<Double>(count: g.count)
    for (i, x) in g.enumerated() { w.grad[i] = x }
    o.step(w, at: 0)
    return w
  }

  func testGradientClipBoundsTheStepNorm() {
    let w = stepOnce(clip: 1, [30, 40])
    // Clipped to norm 1: (0.6, 0.8); Adam's first step then moves each entry by lr·sign.
    XCTAssertEqual(w.gradient[0], 0.6, accuracy: 1e-6)
    XCTAssertEqual(w.gradient[1], 0.8, accuracy: 1e-6)
    XCTAssertEqual(w.value[0], -1e-3, accuracy: 1e-9)
  }

  func testAGradientClipOfZeroLeavesTheGradientAsItIs() {
    let w = stepOnce(clip: 0, [30, -40])
    XCTAssertEqual(w.gradient, [30, -40])
    XCTAssertEqual(w.value[0], -1e-3, accuracy: 1e-9)
    XCTAssertEqual(w.value[1], 1e-3, accuracy: 1e-9)
  }

  func testTheSameTrialTwiceIsBitIdentical() {
    let (p, s) = tinyConfigs()
    let data = DataSet<Float>(problem: .downsample, config: p, seed: 0)
    let a: ForwardOperator<Float> = Problem.downsample.forwardOperator(p)
    let one = searchArchitecture(ops: Op.allCases, problem: a, data: data, config: s, seed: 11, kernel: .blas)
    let two = searchArchitecture(ops: Op.allCases, problem: a, data: data, config: s, seed: 11, kernel: .blas)
    XCTAssertEqual(one.alpha, two.alpha)
    XCTAssertEqual(one.oneShotValidationPSNR, two.oneShotValidationPSNR)
    let arch = one.architecture!
    let r1 = retrain(architecture: arch, problem: a, data: data, config: s, seed: 11, kernel: .blas)
    let r2 = retrain(architecture: arch, problem: a, data: data, config: s, seed: 11, kernel: .blas)
    XCTAssertEqual(r1.architecturePSNR, r2.architecturePSNR)
  }

  func testAChainWhoseLossNoWeightReachesIsEvaluatedAsPureNoise() {
    // Case C1: the output is N(0,1) noise, E[PSNR] = E[10·log10(4a² / (1 + a²/2 + c²))] ≈ 3.6 dB.
    let data = DataSet<Float>(problem: .blur, config: ProblemConfig(), seed: 0)
    var c = SearchConfig()
    c.retrainEpochs = 2
    let r = retrain(
      architecture: [.grad, .noise, .net, .grad, .noise], problem: Problem.blur.forwardOperator(ProblemConfig()),
      data: data, config: c, seed: 0, kernel: .blas)
    XCTAssertNil(r.divergence)
    XCTAssertEqual(r.architecturePSNR!, 3.6, accuracy: 0.4)
  }

  func testASearchAndRetrainingWithTheNaiveKernelMatchTheBLASOnes() {
    // End to end, the reference kernel and the fast one differ only in rounding.
    let (p, s) = tinyConfigs()
    let data = DataSet<Double>(problem: .downsample, config: p, seed: 0)
    var outcomes: [(SearchOutcome, RetrainOutcome)] = []
    for kernel in ConvolutionKernel.allCases {
      let op: ForwardOperator<Double> = Problem.downsample.forwardOperator(p, kernel: kernel)
      let search = searchArchitecture(ops: Op.allCases, problem: op, data: data, config: s, seed: 2, kernel: kernel)
      let r = retrain(architecture: [.net, .grad], problem: op, data: data, config: s, seed: 2, kernel: kernel)
      outcomes.append((search, r))
    }
    XCTAssertEqual(outcomes[0].0.architecture, outcomes[1].0.architecture)
    XCTAssertEqual(outcomes[0].0.oneShotValidationPSNR!, outcomes[1].0.oneShotValidationPSNR!, accuracy: 1e-9)
    XCTAssertEqual(outcomes[0].1.architecturePSNR!, outcomes[1].1.architecturePSNR!, accuracy: 1e-9)
    XCTAssertEqual(maxAbsDiff(outcomes[0].0.alpha.flatMap { $0 }, outcomes[1].0.alpha.flatMap { $0 }), 0, accuracy: 1e-10)
  }

  func testAChainWithoutWeightsFinishesWithAFinitePSNR() {
    // Case C2: five rolls; nothing to train.
    let (p, s) = tinyConfigs()
    let data = DataSet<Float>(problem: .blur, config: p, seed: 0)
    let r = retrain(
      architecture: [.roll, .roll], problem: Problem.blur.forwardOperator(p), data: data, config: s, seed: 0, kernel: .blas)
    XCTAssertNil(r.divergence)
    XCTAssertTrue(r.architecturePSNR!.isFinite)
  }

  func testAHugeLearningRateIsReportedAsDivergenceWithItsPlace() {
    let (p, s0) = tinyConfigs()
    var s = s0
    s.weightLR = 1e30
    s.gradientClip = 1e30
    let data = DataSet<Float>(problem: .blur, config: p, seed: 0)
    let r = retrain(
      architecture: [.net, .net], problem: Problem.blur.forwardOperator(p), data: data, config: s, seed: 0, kernel: .blas)
    XCTAssertNil(r.architecturePSNR)
    XCTAssertEqual(r.divergence?.phase, "retrain")
  }
}
