/// A dense tensor: a shape and row-major storage. A value type; copies share storage until
/// one of them is written (the `Array` underneath is copy-on-write).
public struct Tensor<S: Scalar>: Equatable, Sendable {
  /// Extent of each axis, outermost first.
  public var shape: [Int]
  /// Elements in row-major order; `count == shape.product`.
  public var storage: [S]

  /// A tensor of zeros.
  public init(zeros shape: [Int]) {
    self.shape = shape
    self.storage = [S](repeating: 0, count: shape.reduce(1, *))
  }

  /// A tensor over given storage; the count must match the shape.
  public init(shape: [Int], storage: [S]) {
    precondition(shape.reduce(1, *) == storage.count, "storage does not fit shape \(shape)")
    self.shape = shape
    self.storage = storage
  }

  /// Number of elements.
  public var count: Int { storage.count }

  /// Row `i` of a 2-D tensor.
  public func row(_ i: Int) -> ArraySlice<S> {
    let w = shape[shape.count - 1]
    return storage[(i * w)..<((i + 1) * w)]
  }
}
