import Numerics

/// Marks a parameter vector as network weights θ (trained on `train`).
public enum WeightRole {}
/// Marks a parameter vector as architecture parameters α (trained on `val`).
public enum ArchitectureRole {}

/// All parameters of one role in one flat vector, with a gradient of the same size. Flat
/// storage makes the optimiser, the norm clip and the second-order perturbation one loop each;
/// the role in the type keeps θ and α apart, so no optimiser can be handed the wrong one.
public final class ParameterVector<S: Scalar, Role> {
  public let value: UnsafeMutablePointer<S>
  public let grad: UnsafeMutablePointer<S>
  /// Number of parameters.
  public let count: Int

  /// Zero-initialised parameters.
  public init(count: Int) {
    self.count = count
    value = .allocate(capacity: max(count, 1))
    grad = .allocate(capacity: max(count, 1))
    value.initialize(repeating: 0, count: max(count, 1))
    grad.initialize(repeating: 0, count: max(count, 1))
  }

  deinit {
    value.deallocate()
    grad.deallocate()
  }

  /// The values, copied out.
  public var values: [S] {
    get { Array(UnsafeBufferPointer(start: value, count: count)) }
    set {
      precondition(newValue.count == count)
      newValue.withUnsafeBufferPointer { value.update(from: $0.baseAddress!, count: count) }
    }
  }

  /// The gradient, copied out.
  public var gradient: [S] { Array(UnsafeBufferPointer(start: grad, count: count)) }

  /// While true, leaves are recorded as constants: a step that trains the other role (or an
  /// evaluation) then spends nothing on this role's gradients.
  public var frozen = false

  /// Records `dims.count` parameters starting at `offset` as a leaf of `tape`.
  public func leaf(_ tape: Tape<S>, _ offset: Int, _ dims: Dims) -> Variable {
    precondition(offset + dims.count <= count)
    return tape.leaf(value: value + offset, grad: grad + offset, dims: dims, requiresGrad: !frozen)
  }

  /// Sets every gradient entry to zero.
  public func zeroGrad() { grad.update(repeating: 0, count: count) }

  /// Whether every value is finite.
  public var isFinite: Bool { (0..<count).allSatisfy { value[$0].isFinite } }
}
