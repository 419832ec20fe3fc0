import Autodiff
import InverseProblems
import Numerics
import Search
import XCTest

/// The supernet's and each op's loss gradients against central finite differences in Double.
final class SupernetGradientTests: XCTestCase {
  func check(_ net: Network<Double>, _ data: DataSet<Double>, file: StaticString = #filePath, line: UInt = #line) {
    let tape = Tape<Double>()
    let noise = net.noise
    net.noise = noise
    tape.reset()
    XCTAssertTrue(tape.backward(net.loss(tape, data.train, idx(0..<8))), file: file, line: line)
    let gw = net.weights.gradient, ga = net.alpha?.gradient ?? []
    let h = 1e-6
    func fd(_ p: UnsafeMutablePointer<Double>, _ i: Int) -> Double {
      let x = p[i]
      p[i] = x + h
      let up = lossAt(net, tape, data.train, noise: noise)
      p[i] = x - h
      let down = lossAt(net, tape, data.train, noise: noise)
      p[i] = x
      return (up - down) / (2 * h)
    }
    for i in 0..<net.weights.count {
      let n = fd(net.weights.value, i)
      XCTAssertEqual(gw[i], n, accuracy: 1e-6 * max(1, abs(n)), "weight \(i)", file: file, line: line)
    }
    if let alpha = net.alpha {
      for i in 0..<alpha.count {
        let n = fd(alpha.value, i)
        XCTAssertEqual(ga[i], n, accuracy: 1e-6 * max(1, abs(n)), "alpha \(i)", file: file, line: line)
      }
    }
  }

  func testGradOpGradient() { let (n, d) = tinyNetwork(ops: [.grad, .grad], supernet: false); check(n, d) }
  func testNetOpGradient() { let (n, d) = tinyNetwork(ops: [.net, .net], supernet: false); check(n, d) }
  func testRollOpGradientThroughAWeightedLayer() { let (n, d) = tinyNetwork(ops: [.roll, .net], supernet: false); check(n, d) }
  func testNoiseOpPassesNoGradientButLaterLayersTrain() {
    let (n, d) = tinyNetwork(ops: [.noise, .net], supernet: false); check(n, d)
  }
  func testGradOpOnTheDownsamplingProblem() {
    let (n, d) = tinyNetwork(ops: [.grad, .net], supernet: false, problem: .downsample)
    check(n, d)
  }

  func testSupernetLossGradientWithRespectToWeightsAndAlpha() {
    let (n, d) = tinyNetwork(ops: Op.allCases)
    check(n, d)
  }

  func testSupernetOverGoodOpsOnDownsampling() {
    let (n, d) = tinyNetwork(ops: [.grad, .net], problem: .downsample)
    check(n, d)
  }

  func testArgmaxBreaksTiesTowardsTheLowestOpIndex() {
    let (n, _) = tinyNetwork(ops: Op.allCases)
    let a = n.alpha!
    a.values = [0, 1, 1, 0.5, 2, 2, 2, 2]
    XCTAssertEqual(n.discretise(), [.net, .grad])
  }
}
