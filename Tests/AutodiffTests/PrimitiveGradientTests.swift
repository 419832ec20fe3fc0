import Autodiff
import Numerics
import XCTest

/// Every primitive's backward against central finite differences in Double.
final class PrimitiveGradientTests: XCTestCase {
  let d = Dims(2, 3, 7)

  func testAddAndSubtract() {
    checkGradient([(d, randomValues(d.count, seed: 1)), (d, randomValues(d.count, seed: 2))]) { t, v in
      project(t, t.sub(t.add(v[0], v[1]), t.add(v[1], v[1])))
    }
  }

  func testScaleByAnEntryOfAnotherVariable() {
    checkGradient([(d, randomValues(d.count, seed: 3)), (.vector(3), [0.5, -1.5, 2])]) { t, v in
      project(t, t.scale(v[0], by: v[1], at: 1))
    }
  }

  func testWeightedSum() {
    checkGradient([(d, randomValues(d.count, seed: 4)), (d, randomValues(d.count, seed: 5)), (.vector(2), [0.3, 0.7])]) { t, v in
      project(t, t.weightedSum([v[0], v[1]], weights: v[2]))
    }
  }

  func testReluAwayFromTheKink() {
    let x = randomValues(d.count, seed: 6).map { $0 + ($0 > 0 ? 0.1 : -0.1) }
    checkGradient([(d, x)]) { t, v in project(t, t.relu(v[0])) }
  }

  func testSoftmaxOverRows() {
    checkGradient([(Dims(1, 3, 4), randomValues(12, seed: 7))]) { t, v in project(t, t.softmax(v[0])) }
  }

  func testConvolutionWithRespectToInputAndWeights() {
    for (kernel, k) in [(ConvolutionKernel.blas, 5), (.naive, 4), (.blas, 1)] {
      let x = Dims(3, 2, 9), w = Dims(4, 3, k)
      checkGradient([(x, randomValues(x.count, seed: 8)), (w, randomValues(w.count, seed: 9))]) { t, v in
        t.kernel = kernel
        return project(t, t.conv1d(v[0], v[1]))
      }
    }
  }

  func testConvolutionWithBiasInAllThreeArguments() {
    for kernel in ConvolutionKernel.allCases {
      let x = Dims(2, 3, 8), w = Dims(3, 2, 3)
      checkGradient(
        [(x, randomValues(x.count, seed: 10)), (w, randomValues(w.count, seed: 11)), (.vector(3), [0.1, -0.2, 0.3])]
      ) { t, v in
        t.kernel = kernel
        return project(t, t.conv1d(v[0], v[1], bias: v[2]))
      }
    }
  }

  func testFusedConvolutionBiasReluEqualsTheComposition() {
    let x = Dims(2, 3, 8), w = Dims(3, 2, 3)
    let inputs: [(Dims, [Double])] = [
      (x, randomValues(x.count, seed: 20)), (w, randomValues(w.count, seed: 21)), (.vector(3), [0.1, -0.2, 0.3]),
    ]
    checkGradient(inputs) { t, v in project(t, t.conv1d(v[0], v[1], bias: v[2], relu: true)) }
    let t = Tape<Double>()
    let ps = inputs.map { ParameterVector<Double, WeightRole>(count: $0.0.count) }
    for (p, i) in zip(ps, inputs) { p.values = i.1 }
    func run(fused: Bool) -> (Double, [[Double]]) {
      t.reset()
      let v = zip(ps, inputs).map { $0.leaf(t, 0, $1.0) }
      let y = fused ? t.conv1d(v[0], v[1], bias: v[2], relu: true) : t.relu(t.conv1d(v[0], v[1], bias: v[2]))
      let loss = project(t, y)
      t.backward(loss)
      return (t.scalar(loss), ps.map(\.gradient))
    }
    let (lf, gf) = run(fused: true), (lc, gc) = run(fused: false)
    XCTAssertEqual(lf, lc)
    XCTAssertEqual(gf, gc)
  }

  func testRoll() {
    checkGradient([(d, randomValues(d.count, seed: 11))]) { t, v in project(t, t.roll(v[0], by: 3)) }
    checkGradient([(d, randomValues(d.count, seed: 12))]) { t, v in project(t, t.roll(v[0], by: -9)) }
  }

  func testMeanSquaredErrorInBothArguments() {
    checkGradient([(d, randomValues(d.count, seed: 13)), (d, randomValues(d.count, seed: 14))]) { t, v in
      t.mse(v[0], v[1])
    }
  }

  func testLinearMapAndItsAdjoint() {
    let a = Shift(inputLength: 7, outputLength: 4)
    checkGradient([(Dims(1, 3, 7), randomValues(21, seed: 15))]) { t, v in project(t, t.apply(a, v[0])) }
    checkGradient([(Dims(1, 3, 4), randomValues(12, seed: 16))]) { t, v in project(t, t.applyAdjoint(a, v[0])) }
  }

  func testNoiseIsAConstantAndStopsGradients() {
    let t = Tape<Double>()
    var s = RandomStream(seed: 1)
    let p = ParameterVector<Double, WeightRole>(count: 4)
    let x = p.leaf(t, 0, .vector(4))
    let n = t.noise(.vector(4), from: &s)
    XCTAssertFalse(t.requiresGrad(n))
    XCTAssertFalse(t.backward(project(t, n)), "a loss of pure noise reaches no parameter")
    XCTAssertTrue(t.backward(project(t, t.add(n, x))))
  }

  func testASecondBackwardOverTheSameGraphGivesTheSameGradients() {
    // Intermediate gradient buffers are overwritten, not zeroed: stale values must never leak.
    let t = Tape<Double>()
    let p = ParameterVector<Double, WeightRole>(count: d.count)
    p.values = randomValues(d.count, seed: 30)
    let x = p.leaf(t, 0, d)
    let y = t.add(t.relu(t.add(x, x)), t.roll(x, by: 2))
    let loss = project(t, t.sub(y, t.scale(y, by: x, at: 3)))
    t.backward(loss)
    let first = p.gradient
    t.backward(loss)
    XCTAssertEqual(p.gradient, first)
  }

  func testResetReusesBuffersInsteadOfGrowing() {
    let t = Tape<Double>()
    let p = ParameterVector<Double, WeightRole>(count: d.count)
    t.backward(project(t, t.relu(t.add(p.leaf(t, 0, d), p.leaf(t, 0, d)))))
    let held = t.bytesHeld
    for _ in 0..<5 {
      t.reset()
      let x = p.leaf(t, 0, d)
      t.backward(project(t, t.relu(t.add(x, x))))
    }
    XCTAssertEqual(t.bytesHeld, held)
  }
}

/// A small non-symmetric linear map for the adjoint primitive: `out[i] = x[i+2] − 2·x[i]`.
struct Shift: LinearMap {
  typealias S = Double
  let inputLength: Int
  let outputLength: Int
  func apply(_ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, batch: Int, scratch: Scratch<Double>) {
    for b in 0..<batch {
      for i in 0..<outputLength { out[b * outputLength + i] = x[b * inputLength + i + 2] - 2 * x[b * inputLength + i] }
    }
  }
  func adjoint(_ y: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, batch: Int, scratch: Scratch<Double>) {
    out.update(repeating: 0, count: batch * inputLength)
    for b in 0..<batch {
      for i in 0..<outputLength {
        out[b * inputLength + i + 2] += y[b * outputLength + i]
        out[b * inputLength + i] -= 2 * y[b * outputLength + i]
      }
    }
  }
}
