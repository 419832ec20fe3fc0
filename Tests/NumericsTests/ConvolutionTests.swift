import Numerics
import XCTest

/// The im2col + GEMM kernels must agree with the direct loops on every shape, including the
/// degenerate ones (one input channel, width 1, batch 1, a signal shorter than the kernel).
final class ConvolutionTests: XCTestCase {
  func randomArray(_ n: Int, _ rng: inout RandomStream) -> [Double] { (0..<n).map { _ in rng.normal() } }

  /// Forward, weight gradient and input gradient of one kernel in the scalar type of the inputs.
  func run<S: Scalar>(_ k: ConvolutionKernel, _ c: Convolution1D, x: [S], w: [S], g: [S]) -> [[S]] {
    let scratch = Scratch<S>()
    var out = [S](repeating: 0, count: c.outChannels * c.columns)
    var dw = [S](repeating: 0.5, count: w.count)  // non-zero: the kernels must accumulate
    var dx = [S](repeating: -0.25, count: x.count)
    x.withUnsafeBufferPointer { xp in
      w.withUnsafeBufferPointer { wp in
        g.withUnsafeBufferPointer { gp in
          let buffer = scratch.buffer(c.scratchCount)
          c.forward(k, x: xp.baseAddress!, w: wp.baseAddress!, out: &out, scratch: buffer)
          c.backwardAdd(k, x: xp.baseAddress!, w: wp.baseAddress!, dout: gp.baseAddress!, dw: &dw, dx: &dx, scratch: buffer)
          // Accumulating onto a preset output adds exactly the convolution.
          var onto = [S](repeating: 1, count: out.count)
          c.forward(k, x: xp.baseAddress!, w: wp.baseAddress!, out: &onto, scratch: buffer, accumulate: true)
          let worst = zip(onto, out).map { abs(Double($0) - Double($1) - 1) }.max() ?? 0
          XCTAssertLessThan(worst, S.self == Double.self ? 1e-12 : 1e-5)
        }
      }
    }
    return [out, dw, dx]
  }

  /// BLAS against naive in Double (rounding only), and both Float kernels, which every study
  /// runs, against the Double reference to Float rounding relative to the result's size.
  func compare(_ c: Convolution1D, _ rng: inout RandomStream, file: StaticString = #filePath, line: UInt = #line) {
    let x = randomArray(c.inChannels * c.batch * c.length, &rng)
    let w = randomArray(c.outChannels * c.patch, &rng)
    let g = randomArray(c.outChannels * c.columns, &rng)
    let reference = run(.naive, c, x: x, w: w, g: g)
    let f = { (a: [Double]) in a.map { Float($0) } }
    let candidates: [(String, [[Double]], Double)] = [
      ("BLAS Double", run(.blas, c, x: x, w: w, g: g), 1e-10),
      ("BLAS Float", run(.blas, c, x: f(x), w: f(w), g: f(g)).map { $0.map(Double.init) }, 1e-5),
      ("naive Float", run(.naive, c, x: f(x), w: f(w), g: f(g)).map { $0.map(Double.init) }, 1e-5),
    ]
    for (kernel, got, tolerance) in candidates {
      for (i, what) in ["forward", "weight gradient", "input gradient"].enumerated() {
        let scale = max(1, reference[i].map(abs).max() ?? 0)
        let err = zip(reference[i], got[i]).map { abs($0 - $1) }.max() ?? 0
        XCTAssertLessThan(err / scale, tolerance, "\(kernel) \(what) differs for \(c)", file: file, line: line)
      }
    }
  }

  func testBLASConvolutionEqualsNaiveOnRandomShapes() {
    var rng = RandomStream(seed: 1)
    for _ in 0..<40 {
      let c = Convolution1D(
        inChannels: 1 + rng.index(below: 5), outChannels: 1 + rng.index(below: 5), width: 1 + rng.index(below: 7),
        batch: 1 + rng.index(below: 4), length: 1 + rng.index(below: 12))
      compare(c, &rng)
    }
  }

  func testBLASConvolutionEqualsNaiveOnEdgeShapes() {
    var rng = RandomStream(seed: 2)
    let shapes = [
      (1, 16, 5, 3, 20),  // Cin = 1 (the net op's first layer)
      (16, 1, 5, 2, 20),  // Cout = 1 (its second layer)
      (3, 2, 1, 2, 9),  // width 1
      (2, 3, 4, 1, 9),  // even width, batch 1
      (2, 2, 9, 2, 4),  // signal shorter than the kernel
      (1, 1, 13, 1, 1),  // a single sample
      (1, 16, 5, 32, 128),  // the SPEC net op's layers at the SPEC minibatch
      (16, 1, 5, 32, 128),
      (16, 16, 5, 4, 128),  // 16 channels in and out, as the kernel benchmark's shape
    ]
    for (ci, co, k, b, l) in shapes {
      compare(Convolution1D(inChannels: ci, outChannels: co, width: k, batch: b, length: l), &rng)
    }
  }

  func testFlopCountOfTheSpecNetLayer() {
    let c = Convolution1D(inChannels: 16, outChannels: 1, width: 5, batch: 32, length: 128)
    XCTAssertEqual(c.flops, 2 * 1 * 80 * 4096)
  }

  func testBLASGEMMEqualsTheTripleLoopInEveryTranspositionAndVectorShape() {
    var rng = RandomStream(seed: 3)
    for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
      for (m, n, k) in [(3, 4, 5), (1, 6, 3), (6, 1, 3), (1, 1, 4)] {
        let a = randomArray(m * k, &rng), b = randomArray(k * n, &rng)
        let c0 = randomArray(m * n, &rng)
        var c1 = c0, c2 = c0
        gemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 1.5, a: a, b: b, beta: 0.5, c: &c1)
        naiveGEMM(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 1.5, a: a, b: b, beta: 0.5, c: &c2)
        XCTAssertLessThan(zip(c1, c2).map { abs($0 - $1) }.max()!, 1e-12, "\(m)×\(n)×\(k) \(ta) \(tb)")
        // sgemm/sgemv, the routines of every study, against the Double result.
        var c3 = c0.map { Float($0) }
        gemm(
          transA: ta, transB: tb, m: m, n: n, k: k, alpha: 1.5, a: a.map { Float($0) }, b: b.map { Float($0) }, beta: 0.5, c: &c3)
        XCTAssertLessThan(zip(c3, c2).map { abs(Double($0) - $1) }.max()!, 1e-5, "Float \(m)×\(n)×\(k) \(ta) \(tb)")
      }
    }
  }
}
