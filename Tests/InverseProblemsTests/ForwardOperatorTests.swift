import InverseProblems
import Numerics
import XCTest

/// `⟨Ax, y⟩ = ⟨x, Aᵀy⟩` for both problems, odd sizes and a deliberately non-symmetric kernel.
final class ForwardOperatorTests: XCTestCase {
  func adjointGap(_ a: ForwardOperator<Double>, batch: Int, seed: UInt64) -> (Double, Double) {
    var r = RandomStream(seed: seed)
    let x = (0..<(batch * a.inputLength)).map { _ in r.normal() }
    let y = (0..<(batch * a.outputLength)).map { _ in r.normal() }
    var ax = [Double](repeating: 0, count: y.count), aty = [Double](repeating: 7, count: x.count)
    let s = Scratch<Double>()
    a.apply(x, &ax, batch: batch, scratch: s)
    a.adjoint(y, &aty, batch: batch, scratch: s)
    return (zip(ax, y).map(*).reduce(0, +), zip(x, aty).map(*).reduce(0, +))
  }

  func testAdjointIdentityForBothProblemsAndOddSizes() {
    var c = ProblemConfig()
    for length in [128, 36, 12] {
      c.length = length
      for p in Problem.allCases {
        for kernel in ConvolutionKernel.allCases {
          let (lhs, rhs) = adjointGap(p.forwardOperator(c, kernel: kernel), batch: 3, seed: UInt64(length))
          XCTAssertEqual(lhs, rhs, accuracy: 1e-10 * max(1, abs(lhs)), "\(p) L=\(length) \(kernel)")
        }
      }
    }
  }

  func testAdjointIdentityWithANonSymmetricKernelAndOddStride() {
    for (stride, length) in [(1, 11), (3, 15), (5, 25)] {
      let a = ForwardOperator<Double>(taps: [0.1, 0.5, -0.3, 0.9], stride: stride, length: length)
      let (lhs, rhs) = adjointGap(a, batch: 2, seed: 5)
      XCTAssertEqual(lhs, rhs, accuracy: 1e-12 * max(1, abs(lhs)))
    }
  }

  func testGaussianTapsAreNormalisedAndAsWideAsTheSpecSays() {
    let t2 = ForwardOperator<Double>.gaussianTaps(sigma: 2), t1 = ForwardOperator<Double>.gaussianTaps(sigma: 1)
    XCTAssertEqual(t2.count, 13)
    XCTAssertEqual(t1.count, 7)
    XCTAssertEqual(t2.reduce(0, +), 1, accuracy: 1e-12)
    XCTAssertEqual(t2[6], t2.max()!)
  }

  func testBlurOfAConstantIsTheConstantAwayFromTheEdges() {
    let a = ForwardOperator<Double>(taps: ForwardOperator<Double>.gaussianTaps(sigma: 2), stride: 4, length: 64)
    var out = [Double](repeating: 0, count: 16)
    a.apply([Double](repeating: 2, count: 64), &out, batch: 1, scratch: Scratch())
    for i in 2..<14 { XCTAssertEqual(out[i], 2, accuracy: 1e-12) }
    XCTAssertLessThan(out[0], 2)  // zero padding pulls the edge down
  }
}
