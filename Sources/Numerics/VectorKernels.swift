/// Elementwise loops written with 8-wide SIMD. The plain-loop versions of these compile to a
/// compare and a branch per element, and ReLU signs are random, so the branches mispredict;
/// these compile to compare-and-blend instead. Reductions sum in 8 lanes, then across them:
/// a fixed order, so results stay bit-reproducible.
public enum VectorKernels {
  /// `x[i] = max(x[i], 0)`.
  @inlinable public static func reluInPlace<S: Scalar>(_ x: UnsafeMutablePointer<S>, count n: Int) {
    let raw = UnsafeMutableRawPointer(x)
    var i = 0
    while i + 8 <= n {
      let v = raw.loadUnaligned(fromByteOffset: i * MemoryLayout<S>.stride, as: SIMD8<S>.self)
      raw.storeBytes(of: v.replacing(with: 0, where: v .< 0), toByteOffset: i * MemoryLayout<S>.stride, as: SIMD8<S>.self)
      i += 8
    }
    while i < n {
      if x[i] < 0 { x[i] = 0 }
      i += 1
    }
  }

  /// `g[i] = by[i] > 0 ? g[i] : 0`: the ReLU backward, masked by the output's sign.
  @inlinable public static func keepWherePositive<S: Scalar>(
    _ g: UnsafeMutablePointer<S>, by v: UnsafePointer<S>, count n: Int
  ) {
    let graw = UnsafeMutableRawPointer(g), vraw = UnsafeRawPointer(v)
    var i = 0
    while i + 8 <= n {
      let o = i * MemoryLayout<S>.stride
      let gv = graw.loadUnaligned(fromByteOffset: o, as: SIMD8<S>.self)
      let vv = vraw.loadUnaligned(fromByteOffset: o, as: SIMD8<S>.self)
      graw.storeBytes(of: gv.replacing(with: 0, where: vv .<= 0), toByteOffset: o, as: SIMD8<S>.self)
      i += 8
    }
    while i < n {
      if !(v[i] > 0) { g[i] = 0 }
      i += 1
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
