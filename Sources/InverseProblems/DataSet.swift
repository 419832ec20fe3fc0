import Foundation
import Numerics

/// One split: ground-truth signals `x: [n, L]` and their measurements `y: [n, M]`.
public struct Split<S: Scalar>: Sendable {
  public var truth: Tensor<S>
  public var measurements: Tensor<S>
  /// Number of signals.
  public var count: Int { truth.shape[0] }
}

/// The three disjoint splits of SPEC §1, drawn from one data seed.
public struct DataSet<S: Scalar>: Sendable {
  public var train: Split<S>
  public var val: Split<S>
  public var test: Split<S>

  /// Draws `train`, `val` and `test` in that order from one stream seeded by `seed`, so the
  /// splits are disjoint draws and the same seed always gives the same data.
  public init(problem: Problem, config c: ProblemConfig, seed: UInt64) {
    var rng = RandomStream(seed: seed, stream: "data")
    let op: ForwardOperator<Double> = problem.forwardOperator(c, kernel: .blas)
    func split(_ n: Int) -> Split<S> {
      var x = [Double](repeating: 0, count: n * c.length)
      for i in 0..<n {
        let a = rng.uniform(0.5, 1.5), f = rng.uniform(1, 10)
        let phi = rng.uniform(0, 2 * Double.pi), off = rng.uniform(-0.5, 0.5)
        for t in 0..<c.length {
          x[i * c.length + t] = a * Foundation.cos(2 * Double.pi * f * Double(t) / Double(c.length) + phi) + off
        }
      }
      let m = op.outputLength
      var y = [Double](repeating: 0, count: n * m)
      let scratch = Scratch<Double>()
      x.withUnsafeBufferPointer { xp in
        y.withUnsafeMutableBufferPointer { yp in op.apply(xp.baseAddress!, yp.baseAddress!, batch: n, scratch: scratch) }
      }
      for i in 0..<y.count { y[i] += c.noiseSigma * rng.normal() }
      return Split(
        truth: Tensor(shape: [n, c.length], storage: x.map { S($0) }),
        measurements: Tensor(shape: [n, m], storage: y.map { S($0) }))
    }
    train = split(c.trainSize)
    val = split(c.valSize)
    test = split(c.testSize)
  }
}
