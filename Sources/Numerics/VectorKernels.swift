/// Elementwise loops that compile to vector code. A plain `x > 0 ? x : 0` loop compiles to a
/// compare and a branch per element, and ReLU signs are random, so the branches mispredict
/// (and Swift's generic SIMD `replacing(with:where:)` is a per-lane loop, no better). The
/// ReLU kernels therefore work on the IEEE bit patterns with integer masks, which LLVM
/// vectorises; they are exact. Reductions sum in 8 lanes, then across them: a fixed order,
/// so results stay bit-reproducible.
public enum VectorKernels {
  /// `x[i] = max(x[i], 0)`: clears every element whose sign bit is set (−0 becomes +0).
  @inlinable public static func reluInPlace<S: Scalar>(_ x: UnsafeMutablePointer<S>, count n: Int) {
    if MemoryLayout<S>.size == 4 {
      let b = UnsafeMutableRawPointer(x).assumingMemoryBound(to: UInt32.self)
      for i in 0..<n { b[i] &= (b[i] >> 31) &- 1 }  // sign 1 → mask 0, sign 0 → all ones
    } else {
      let b = UnsafeMutableRawPointer(x).assumingMemoryBound(to: UInt64.self)
      for i in 0..<n { b[i] &= (b[i] >> 63) &- 1 }
    }
  }

  /// `g[i] = v[i] > 0 ? g[i] : 0` where `v` is a ReLU output (no element negative): the ReLU
  /// backward, masked by the output, which is non-zero exactly where the input was positive.
  @inlinable public static func keepWherePositive<S: Scalar>(
    _ g: UnsafeMutablePointer<S>, by v: UnsafePointer<S>, count n: Int
  ) {
    if MemoryLayout<S>.size == 4 {
      let gb = UnsafeMutableRawPointer(g).assumingMemoryBound(to: UInt32.self)
      let vb = UnsafeRawPointer(v).assumingMemoryBound(to: UInt32.self)
      for i in 0..<n { gb[i] &= 0 &- ((vb[i] | (0 &- vb[i])) >> 31) }  // v ≠ 0 → all ones
    } else {
      let gb = UnsafeMutableRawPointer(g).assumingMemoryBound(to: UInt64.self)
      let vb = UnsafeRawPointer(v).assumingMemoryBound(to: UInt64.self)
      for i in 0..<n { gb[i] &= 0 &- ((vb[i] | (0 &- vb[i])) >> 63) }
    }
  }

  /// `Σ x[i]`, in 8 lanes.
  @inlinable public static func sum<S: Scalar>(_ x: UnsafePointer<S>, count n: Int) -> S {
    let raw = UnsafeRawPointer(x)
    var acc = SIMD8<S>()
    var i = 0
    while i + 8 <= n {
      acc += raw.loadUnaligned(fromByteOffset: i * MemoryLayout<S>.stride, as: SIMD8<S>.self)
      i += 8
    }
    var s = acc.sum()
    while i < n {
      s += x[i]
      i += 1
    }
    return s
  }

  /// `Σ x[i]·y[i]`, in 8 lanes.
  @inlinable public static func dot<S: Scalar>(_ x: UnsafePointer<S>, _ y: UnsafePointer<S>, count n: Int) -> S {
    let xr = UnsafeRawPointer(x), yr = UnsafeRawPointer(y)
    var acc = SIMD8<S>()
    var i = 0
    while i + 8 <= n {
      let o = i * MemoryLayout<S>.stride
      acc += xr.loadUnaligned(fromByteOffset: o, as: SIMD8<S>.self) * yr.loadUnaligned(fromByteOffset: o, as: SIMD8<S>.self)
      i += 8
    }
    var s = acc.sum()
    while i < n {
      s += x[i] * y[i]
      i += 1
    }
    return s
  }
}
