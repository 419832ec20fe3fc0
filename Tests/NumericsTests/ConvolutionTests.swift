import Numerics
import XCTest

/// The im2col + GEMM kernels must agree with the direct loops on every shape, including the
/// degenerate ones (one input channel, width 1, batch 1, a signal shorter than the kernel).
final class ConvolutionTests: XCTestCase {
  func randomArray(_ n: Int, _ rng: inout RandomStream) -> [Double] { (0..<n).map { _ in rng.normal() } }

  func compare(_ c: Convolution1D, _ rng: inout RandomStream, file: StaticString = #filePath, line: UInt = #line) {
    let x = randomArray(c.inChannels * c.batch * c.length, &rng)
    let w = randomArray(c.outChannels * c.patch, &rng)
    let g = randomArray(c.outChannels * c.columns, &rng)
    let scratch = Scratch<Double>()
    func run(_ k: ConvolutionKernel) -> (out: [Double], dw: [Double], dx: [Double]) {
      var out = [Double](repeating: 0, count: c.outChannels * c.columns)
      var dw = [Double](repeating: 0.5, count: w.count)  // non-zero: the kernels must accumulate
      var dx = [Double](repeating: -0.25, count: x.count)
      x.withUnsafeBufferPointer { xp in
        w.withUnsafeBufferPointer { wp in
          g.withUnsafeBufferPointer { gp in
            let buffer = scratch.buffer(c.scratchCount)
            c.forward(k, x: xp.baseAddress!, w: wp.baseAddress!, out: &out, scratch: buffer)
            c.backwardAdd(k, x: xp.baseAddress!, w: wp.baseAddress!, dout: gp.baseAddress!, dw: &dw, dx: &dx, scratch: buffer)
            // Accumulating onto a preset output adds exactly the convolution.
            var onto = [Double](repeating: 1, count: out.count)
            c.forward(k, x: xp.baseAddress!, w: wp.baseAddress!, out: &onto, scratch: buffer, accumulate: true)
            for i in 0..<out.count { XCTAssertEqual(onto[i], out[i] + 1, accuracy: 1e-12) }
          }
        }
      }
      return (out, dw, dx)
    }
    let naive = run(.naive), blas = run(.blas)
    for (a, b, what) in [
      (naive.out, blas.out, "forward"), (naive.dw, blas.dw, "weight gradient"), (naive.dx, blas.dx, "input gradient"),
    ] {
      let err = zip(a, b).map { abs($0 - $1) }.max() ?? 0
      XCTAssertLessThan(err, 1e-10, "\(what) differs for \(c)", file: file, line: line)
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
        var c1 = randomArray(m * n, &rng)
        var c2 = c1
        gemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 1.5, a: a, b: b, beta: 0.5, c: &c1)
        naiveGEMM(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 1.5, a: a, b: b, beta: 0.5, c: &c2)
        XCTAssertLessThan(zip(c1, c2).map { abs($0 - $1) }.max()!, 1e-12, "\(m)×\(n)×\(k) \(ta) \(tb)")
      }
    }
  }
}
