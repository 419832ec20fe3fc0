import Autodiff
import InverseProblems
import Numerics
import Search
import XCTest

/// The second-order architect against an independent route to `(∂²L_train/∂α∂θ) v`:
/// finite differences in α of the exact weight gradient (the other order of differentiation).
/// These use the supernet over {grad, roll, noise}: a smooth loss (the net op's ReLU kinks
/// would make any finite difference of size 0.01 jump), with a real α–θ cross term through τ.
final class SecondOrderTests: XCTestCase {
  let smoothOps: [Op] = [.grad, .roll, .noise]

  /// `J v` with `J[a] = ∂/∂α_a ∇θ L_train`, by central differences in α of the tape's ∇θ.
  func independentMixedProduct(_ net: Network<Double>, _ data: DataSet<Double>, v: [Double], noise: RandomStream) -> [Double] {
    let tape = Tape<Double>(), alpha = net.alpha!
    func weightGradient() -> [Double] {
      net.noise = noise
      alpha.frozen = true
      defer { alpha.frozen = false }
      tape.reset()
      tape.backward(net.loss(tape, data.train, idx(0..<8)))
      return net.weights.gradient
    }
    let h = 1e-5
    return (0..<alpha.count).map { a in
      let x = alpha.value[a]
      alpha.value[a] = x + h
      let up = weightGradient()
      alpha.value[a] = x - h
      let down = weightGradient()
      alpha.value[a] = x
      return zip(zip(up, down), v).reduce(0) { $0 + ($1.0.0 - $1.0.1) / (2 * h) * $1.1 }
    }
  }

  func testMixedProductMatchesTheIndependentRouteForSeveralEpsilons() {
    let (net, data) = tinyNetwork(ops: smoothOps)
    var architect = Architect<Double>(alphaCount: net.alpha!.count, config: net.config)
    let v = randomDirection(net.weights.count, seed: 4)
    let noise = net.noise
    let expected = independentMixedProduct(net, data, v: v, noise: noise)
    let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
    for eps in [0.01 / norm, 1e-3 / norm, 1e-4 / norm] {
      net.noise = noise  // both routes must see the same draws of the noise op
      let got = architect.mixedProduct(net, Tape<Double>(), train: Batch(data.train, idx(0..<8)), direction: v, epsilon: eps)
      let scale = expected.map(abs).max()!
      XCTAssertGreaterThan(scale, 1e-6, "the cross term must be non-zero for this test to mean anything")
      XCTAssertLessThan(maxAbsDiff(got, expected) / scale, 1e-4, "ε = \(eps)")
    }
  }

  func testSecondOrderGradientIsTheUnrolledValidationGradientMinusXiTimesTheProduct() {
    let (net, data) = tinyNetwork(ops: smoothOps)
    let tape = Tape<Double>()
    let train = Batch(data.train, idx(0..<8)), val = Batch(data.val, idx(8..<16))
    let xi = 0.5  // large enough that θ' is far from θ
    let theta = net.weights.values, noise = net.noise
    // Reference pieces, each by its own route.
    let firstOrder = alphaGradient(net, tape, val, noise: noise)
    net.weights.frozen = false
    net.noise = noise
    net.alpha!.frozen = true
    tape.reset()
    tape.backward(net.loss(tape, train.split, train.indices))
    net.alpha!.frozen = false
    let unrolled = zip(theta, net.weights.gradient).map { $0 - xi * $1 }
    net.weights.values = unrolled
    let afterTrainForward = net.noise
    let valAtUnrolled = alphaGradient(net, tape, val, noise: afterTrainForward)
    tape.reset()
    net.noise = afterTrainForward
    tape.backward(net.loss(tape, val.split, val.indices))
    let v = net.weights.gradient, hvpNoise = net.noise
    // SPEC §5 takes the product at θ± = θ ± εv around the real weights; at θ' it would differ.
    let productAtUnrolled = independentMixedProduct(net, data, v: v, noise: hvpNoise)
    net.weights.values = theta
    let product = independentMixedProduct(net, data, v: v, noise: hvpNoise)
    let scale = product.map(abs).max()!
    XCTAssertGreaterThan(
      maxAbsDiff(product, productAtUnrolled) / scale, 1e-3, "θ and θ' must be told apart here (10× the tolerance below)")

    var (_, config) = tinyConfigs()
    config.order = .second
    config.alphaInitScale = 0.5
    var architect = Architect<Double>(alphaCount: net.alpha!.count, config: config)
    net.noise = noise
    let alphaBefore = net.alpha!.values
    _ = architect.step(net, tape, train: train, val: val, xi: xi)
    let used = net.alpha!.gradient
    XCTAssertEqual(net.weights.values, theta, "θ must be restored bit for bit")
    XCTAssertNotEqual(net.alpha!.values, alphaBefore)
    // The statement, on the Hessian term alone (relative to its own size, so a wrong sign,
    // factor or base point fails): (unrolled first-order gradient − used) / ξ = the product.
    let hessianTerm = zip(valAtUnrolled, used).map { ($0 - $1) / xi }
    XCTAssertGreaterThan(scale, 1e-6, "the cross term must be non-zero for this test to mean anything")
    XCTAssertLessThan(maxAbsDiff(hessianTerm, product) / scale, 1e-4)
    XCTAssertGreaterThan(maxAbsDiff(used, firstOrder), 1e-6, "second order must differ from first order here")
  }

  func testAZeroDirectionGivesAZeroProductWhateverTheWeights() {
    let (net, data) = tinyNetwork(ops: smoothOps)
    XCTAssertGreaterThan(net.weights.count, 0)
    var architect = Architect<Double>(alphaCount: net.alpha!.count, config: net.config)
    let theta = net.weights.values
    let zero = [Double](repeating: 0, count: net.weights.count)
    let got = architect.mixedProduct(net, Tape<Double>(), train: Batch(data.train, idx(0..<8)), direction: zero, epsilon: nil)
    XCTAssertEqual(got, [Double](repeating: 0, count: net.alpha!.count))
    XCTAssertEqual(net.weights.values, theta)
  }

  func testZeroDirectionGivesAFiniteGradientEqualToFirstOrder() {
    // A supernet without weights: v = ∇θ' L_val is empty, so ‖v‖ = 0 and θ' = θ.
    let (net, data) = tinyNetwork(ops: [.roll, .noise])
    XCTAssertEqual(net.weights.count, 0)
    let tape = Tape<Double>()
    let train = Batch(data.train, idx(0..<8)), val = Batch(data.val, idx(0..<8))
    let noise = net.noise
    // The reference replays the second-order step's draws: one train forward, then val.
    net.noise = noise
    tape.reset()
    _ = net.loss(tape, train.split, train.indices)
    let reference = alphaGradient(net, tape, val, noise: net.noise)
    var (_, config) = tinyConfigs()
    config.order = .second
    var architect = Architect<Double>(alphaCount: net.alpha!.count, config: config)
    net.noise = noise
    _ = architect.step(net, tape, train: train, val: val, xi: 0.1)
    let used = net.alpha!.gradient
    XCTAssertTrue(used.allSatisfy(\.isFinite))
    XCTAssertEqual(used, reference)
  }

  func testSecondOrderSearchIsReproducibleBitForBit() {
    let (p, s0) = tinyConfigs()
    var s = s0
    s.order = .second
    let data = DataSet<Float>(problem: .blur, config: p, seed: 0)
    let a: ForwardOperator<Float> = Problem.blur.forwardOperator(p)
    let one = searchArchitecture(ops: Op.allCases, problem: a, data: data, config: s, seed: 5, kernel: .blas)
    let two = searchArchitecture(ops: Op.allCases, problem: a, data: data, config: s, seed: 5, kernel: .blas)
    XCTAssertEqual(one.alpha, two.alpha)
    XCTAssertEqual(one.alphaHistory, two.alphaHistory)
    XCTAssertEqual(one.oneShotValidationPSNR, two.oneShotValidationPSNR)
    XCTAssertEqual(one.alphaHistory.count, s.searchEpochs)
  }

  func alphaGradient(_ net: Network<Double>, _ tape: Tape<Double>, _ b: Batch<Double>, noise: RandomStream) -> [Double] {
    net.noise = noise
    net.weights.frozen = true
    defer { net.weights.frozen = false }
    tape.reset()
    tape.backward(net.loss(tape, b.split, b.indices))
    return net.alpha!.gradient
  }

  func randomDirection(_ n: Int, seed: UInt64) -> [Double] {
    var r = RandomStream(seed: seed)
    return (0..<n).map { _ in r.normal() }
  }
}
