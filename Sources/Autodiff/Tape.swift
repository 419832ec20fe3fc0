import Numerics

/// Extent of a value on the tape, outermost first. Activations are `[channels, batch, length]`
/// (the layout the convolutions want); vectors are `[1, 1, n]`, scalars `[1, 1, 1]`.
public struct Dims: Equatable, Sendable, CustomStringConvertible {
  public var d0: Int, d1: Int, d2: Int
  public init(_ d0: Int, _ d1: Int, _ d2: Int) { (self.d0, self.d1, self.d2) = (d0, d1, d2) }
  /// A vector of `n` elements.
  public static func vector(_ n: Int) -> Dims { Dims(1, 1, n) }
  /// A single number.
  public static let scalar = Dims(1, 1, 1)
  /// Number of elements.
  public var count: Int { d0 * d1 * d2 }
  public var description: String { "[\(d0), \(d1), \(d2)]" }
}

/// A handle to a value recorded on a tape: an index, valid until the tape is reset.
public struct Variable: Hashable, Sendable {
  public let id: Int
}

/// A reverse-mode tape. Each primitive (in the `Tape+…` files) computes its forward value and
/// records its own backward beside it. Buffers live in slots indexed by recording order and are
/// kept across `reset()`, so a training loop that records the same graph every step reaches a
/// steady state in which it allocates almost nothing.
public final class Tape<S: Scalar> {
  /// The convolution kernel primitives use.
  public var kernel: ConvolutionKernel
  /// Shared scratch for im2col; one tape belongs to one trial, so one thread.
  public let scratch = Scratch<S>()
  /// A second buffer for results that must not alias `scratch` (an operator's output that is
  /// then accumulated into a gradient).
  let staging = Scratch<S>()

  @usableFromInline var values: [UnsafeMutablePointer<S>] = []
  @usableFromInline var grads: [UnsafeMutablePointer<S>] = []
  @usableFromInline var dims: [Dims] = []
  @usableFromInline var needsGrad: [Bool] = []
  /// Whether a value's gradient buffer holds this backward pass's gradient yet. Buffers start
  /// unwritten and the first contribution overwrites instead of adding, so no pass zeroes the
  /// large intermediate gradients (that alone was a tenth of a training step).
  @usableFromInline var gradReady: [Bool] = []
  /// Leaves whose buffers live outside the tape (parameters).
  var external: [Bool] = []
  /// The value each recorded backward belongs to: it runs only if that value got a gradient.
  private var backwardOutputs: [Int] = []
  private var owned: [(value: UnsafeMutablePointer<S>, grad: UnsafeMutablePointer<S>, capacity: Int)] = []
  private var backwards: [(Tape<S>) -> Void] = []
  /// Number of values recorded since the last reset.
  public private(set) var count = 0

  /// An empty tape.
  public init(kernel: ConvolutionKernel = .blas) { self.kernel = kernel }

  deinit {
    for o in owned {
      o.value.deallocate()
      o.grad.deallocate()
    }
  }

  /// Forgets every recorded value but keeps the buffers for the next step.
  public func reset() {
    count = 0
    backwards.removeAll(keepingCapacity: true)
    backwardOutputs.removeAll(keepingCapacity: true)
  }

  /// Bytes of buffer the tape holds (to show that it stops growing).
  public var bytesHeld: Int { owned.reduce(0) { $0 + 2 * $1.capacity * MemoryLayout<S>.stride } }

  // MARK: recording

  /// Records a new value of shape `d`; `grad` tells whether gradients flow into it.
  /// Its contents are uninitialised until the primitive writes them.
  @usableFromInline func record(_ d: Dims, grad: Bool) -> Variable {
    let i = count
    count += 1
    if i == owned.count {
      owned.append((.allocate(capacity: max(d.count, 1)), .allocate(capacity: max(d.count, 1)), max(d.count, 1)))
      values.append(owned[i].value)
      grads.append(owned[i].grad)
      dims.append(d)
      needsGrad.append(grad)
      gradReady.append(false)
      external.append(false)
    } else {
      if owned[i].capacity < d.count {
        owned[i].value.deallocate()
        owned[i].grad.deallocate()
        owned[i] = (.allocate(capacity: d.count), .allocate(capacity: d.count), d.count)
      }
      values[i] = owned[i].value
      grads[i] = owned[i].grad
      dims[i] = d
      needsGrad[i] = grad
      external[i] = false
    }
    return Variable(id: i)
  }

  /// Registers the backward of `out`; called only when it needs a gradient.
  @usableFromInline func onBackward(_ out: Variable, _ f: @escaping (Tape<S>) -> Void) {
    backwards.append(f)
    backwardOutputs.append(out.id)
  }

  /// The gradient of `v` to add a contribution into, zero-filled first if this pass has not
  /// written it yet. For contributions that touch only some elements.
  @inlinable public func gradForAdding(_ v: Variable) -> UnsafeMutablePointer<S> {
    if !gradReady[v.id] {
      grads[v.id].update(repeating: 0, count: dims[v.id].count)
      gradReady[v.id] = true
    }
    return grads[v.id]
  }

  /// The gradient of `v` for a contribution that covers every element: when `fresh`, the
  /// buffer holds stale data and the caller must overwrite it rather than add to it.
  @inlinable public func gradForWriting(_ v: Variable) -> (pointer: UnsafeMutablePointer<S>, fresh: Bool) {
    let fresh = !gradReady[v.id]
    gradReady[v.id] = true
    return (grads[v.id], fresh)
  }

  /// A leaf whose value and gradient live outside the tape (a parameter): gradients accumulate
  /// straight into `grad`, which `backward` zeroes first. With `requiresGrad: false` it is a
  /// constant that reads the parameter in place (evaluation, or the other role's step).
  public func leaf(
    value: UnsafeMutablePointer<S>, grad: UnsafeMutablePointer<S>, dims d: Dims, requiresGrad: Bool = true
  ) -> Variable {
    let v = record(d, grad: requiresGrad)
    values[v.id] = value
    grads[v.id] = grad
    external[v.id] = true
    return v
  }

  /// A constant copied from `source`.
  public func constant(_ source: UnsafePointer<S>, dims d: Dims) -> Variable {
    let v = record(d, grad: false)
    values[v.id].update(from: source, count: d.count)
    return v
  }

  /// A constant filled in place by `fill` (avoids an intermediate copy).
  public func constant(dims d: Dims, fill: (UnsafeMutablePointer<S>) -> Void) -> Variable {
    let v = record(d, grad: false)
    fill(values[v.id])
    return v
  }

  // MARK: reading

  /// Staging space for `n` elements, distinct from `scratch`.
  func temporary(_ n: Int) -> UnsafeMutablePointer<S> { staging.buffer(n) }

  /// The value of `v` (valid until the next reset).
  @inlinable public func value(_ v: Variable) -> UnsafeMutablePointer<S> { values[v.id] }
  /// The gradient of the last `backward` with respect to `v`.
  @inlinable public func grad(_ v: Variable) -> UnsafeMutablePointer<S> { grads[v.id] }
  /// The shape of `v`.
  @inlinable public func dims(_ v: Variable) -> Dims { dims[v.id] }
  /// Whether gradients flow into `v` (false for constants and anything computed only from them).
  @inlinable public func requiresGrad(_ v: Variable) -> Bool { needsGrad[v.id] }
  /// The value of a scalar.
  public func scalar(_ v: Variable) -> S { values[v.id][0] }

  // MARK: backward

  /// Back-propagates from the scalar `loss`. Returns false (and does nothing) when no recorded
  /// parameter reaches the loss, e.g. a chain that ends in `noise`.
  @discardableResult public func backward(_ loss: Variable) -> Bool {
    precondition(dims[loss.id].count == 1, "backward needs a scalar loss, got \(dims[loss.id])")
    guard needsGrad[loss.id] else { return false }
    for i in 0..<count {
      // Parameters are read by their owner afterwards, reached or not: they start at zero.
      gradReady[i] = external[i] && needsGrad[i]
      if gradReady[i] { grads[i].update(repeating: 0, count: dims[i].count) }
    }
    grads[loss.id][0] = 1
    gradReady[loss.id] = true
    // A value no gradient reached has a zero gradient: its backward would add nothing.
    for k in backwards.indices.reversed() where gradReady[backwardOutputs[k]] { backwards[k](self) }
    return true
  }
}
