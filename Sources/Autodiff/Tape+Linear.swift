import Numerics

/// A fixed linear map on a batch of single-channel signals, `[1, B, n] → [1, B, m]`, with its
/// adjoint. The forward operators of the inverse problems conform.
public protocol LinearMap<S>: Sendable {
  associatedtype S: Scalar
  /// Samples per signal going in.
  var inputLength: Int { get }
  /// Samples per signal coming out.
  var outputLength: Int { get }
  /// `out = A x` for `batch` signals (overwrites `out`).
  func apply(_ x: UnsafePointer<S>, _ out: UnsafeMutablePointer<S>, batch: Int, scratch: Scratch<S>)
  /// `out = Aᵀ y` for `batch` signals (overwrites `out`).
  func adjoint(_ y: UnsafePointer<S>, _ out: UnsafeMutablePointer<S>, batch: Int, scratch: Scratch<S>)
}

extension Tape {
  /// `A x`; its backward applies `Aᵀ`.
  public func apply<M: LinearMap>(_ a: M, _ x: Variable) -> Variable where M.S == S {
    linear(x, inLength: a.inputLength, outLength: a.outputLength, forward: a.apply, backward: a.adjoint)
  }

  /// `Aᵀ y`; its backward applies `A`.
  public func applyAdjoint<M: LinearMap>(_ a: M, _ y: Variable) -> Variable where M.S == S {
    linear(y, inLength: a.outputLength, outLength: a.inputLength, forward: a.adjoint, backward: a.apply)
  }

  private func linear(
    _ x: Variable, inLength: Int, outLength: Int,
    forward: (UnsafePointer<S>, UnsafeMutablePointer<S>, Int, Scratch<S>) -> Void,
    backward: @escaping (UnsafePointer<S>, UnsafeMutablePointer<S>, Int, Scratch<S>) -> Void
  ) -> Variable {
    let d = dims(x)
    precondition(d.d0 == 1 && d.d2 == inLength, "linear map expects [1, B, \(inLength)], got \(d)")
    let gx = requiresGrad(x)
    let out = record(Dims(1, d.d1, outLength), grad: gx)
    forward(value(x), value(out), d.d1, scratch)
    if gx {
      onBackward(out) { t in
        // Operators overwrite their output: straight into a fresh gradient, else stage and add.
        let (dx, fresh) = t.gradForWriting(x)
        if fresh {
          backward(t.grad(out), dx, d.d1, t.scratch)
        } else {
          let tmp = t.temporary(d.count)
          backward(t.grad(out), tmp, d.d1, t.scratch)
          for i in 0..<d.count { dx[i] += tmp[i] }
        }
      }
    }
    return out
  }
}
