/// Which convolution kernel a run uses: the direct loops (reference) or im2col + BLAS GEMM.
public enum ConvolutionKernel: String, Sendable, Codable, CaseIterable {
  case naive, blas
}

/// Row-major `C = alpha · op(A) · op(B) + beta · C` through BLAS.
@inlinable public func gemm<S: Scalar>(
  transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: S = 1,
  a: UnsafePointer<S>, b: UnsafePointer<S>, beta: S = 0, c: UnsafeMutablePointer<S>
) {
  if m == 0 || n == 0 { return }
  if k == 0 {  // BLAS leaves C untouched only for beta == 1; make k = 0 mean "scale C"
    for i in 0..<(m * n) { c[i] = beta == 0 ? 0 : beta * c[i] }
    return
  }
  // A product with one row or one column is a matrix-vector product: GEMV streams the matrix
  // once, where GEMM would first pack it (the net op's 1-channel layers are this shape).
  if m == 1 {  // Cᵀ = op(B)ᵀ · aᵀ; op(A) is a contiguous row either way
    if transB {
      S.gemv(trans: false, rows: n, cols: k, alpha: alpha, a: b, lda: k, x: a, beta: beta, y: c)
    } else {
      S.gemv(trans: true, rows: k, cols: n, alpha: alpha, a: b, lda: n, x: a, beta: beta, y: c)
    }
    return
  }
  if n == 1 {  // C = op(A) · b; op(B) is a contiguous column either way
    if transA {
      S.gemv(trans: true, rows: k, cols: m, alpha: alpha, a: a, lda: m, x: b, beta: beta, y: c)
    } else {
      S.gemv(trans: false, rows: m, cols: k, alpha: alpha, a: a, lda: k, x: b, beta: beta, y: c)
    }
    return
  }
  S.gemm(
    transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
    a: a, lda: transA ? m : k, b: b, ldb: transB ? k : n, beta: beta, c: c, ldc: n)
}

/// The same product by three loops: the reference the BLAS path is tested against.
@inlinable public func naiveGEMM<S: Scalar>(
  transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: S = 1,
  a: UnsafePointer<S>, b: UnsafePointer<S>, beta: S = 0, c: UnsafeMutablePointer<S>
) {
  for i in 0..<m {
    for j in 0..<n {
      var s: S = 0
      for p in 0..<k {
        let av = transA ? a[p * m + i] : a[i * k + p]
        let bv = transB ? b[j * k + p] : b[p * n + j]
        s += av * bv
      }
      c[i * n + j] = alpha * s + (beta == 0 ? 0 : beta * c[i * n + j])
    }
  }
}
