/// A growable buffer reused across calls, so a hot loop allocates only until it has seen its
/// largest request. Owned by one trial; never shared between threads.
public final class Scratch<S: Scalar> {
  private var base: UnsafeMutablePointer<S>
  private var capacity: Int

  /// An empty scratch buffer.
  public init() {
    capacity = 16
    base = .allocate(capacity: capacity)
  }

  deinit { base.deallocate() }

  /// Storage for at least `count` elements; its contents are unspecified.
  public func buffer(_ count: Int) -> UnsafeMutablePointer<S> {
    if count > capacity {
      base.deallocate()
      capacity = max(count, capacity * 2)
      base = .allocate(capacity: capacity)
    }
    return base
  }
}
