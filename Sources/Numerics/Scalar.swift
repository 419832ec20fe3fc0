import COpenBLAS
import Foundation

/// A floating-point type the numerics run in: `Float` for speed, `Double` for the
/// finite-difference checks of the tests. Each conformance routes GEMM to its BLAS routine.
public protocol Scalar: BinaryFloatingPoint, SIMDScalar, Sendable, Codable
where Self.RawSignificand: FixedWidthInteger {
  /// `C = alpha · op(A) · op(B) + beta · C` on row-major matrices (`op` transposes when asked).
  static func gemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Self,
    a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
    beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
  /// `y = alpha · op(A) · x + beta · y` for a row-major `rows × cols` matrix `A`.
  static func gemv(
    trans: Bool, rows: Int, cols: Int, alpha: Self, a: UnsafePointer<Self>, lda: Int,
    x: UnsafePointer<Self>, beta: Self, y: UnsafeMutablePointer<Self>)
  static func exp(_ x: Self) -> Self
  static func log(_ x: Self) -> Self
}

@inline(__always) private func blasTranspose(_ t: Bool) -> CBLAS_TRANSPOSE { t ? CblasTrans : CblasNoTrans }

extension Float: Scalar {
  @inlinable public static func exp(_ x: Float) -> Float { Foundation.expf(x) }
  @inlinable public static func log(_ x: Float) -> Float { Foundation.logf(x) }
  public static func gemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    cblas_sgemm(
      CblasRowMajor, blasTranspose(transA), blasTranspose(transB), blasint(m), blasint(n), blasint(k), alpha,
      a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
  }
}

extension Float {
  public static func gemv(
    trans: Bool, rows: Int, cols: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
    x: UnsafePointer<Float>, beta: Float, y: UnsafeMutablePointer<Float>
  ) {
    cblas_sgemv(CblasRowMajor, blasTranspose(trans), blasint(rows), blasint(cols), alpha, a, blasint(lda), x, 1, beta, y, 1)
  }
}

extension Double {
  public static func gemv(
    trans: Bool, rows: Int, cols: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
    x: UnsafePointer<Double>, beta: Double, y: UnsafeMutablePointer<Double>
  ) {
    cblas_dgemv(CblasRowMajor, blasTranspose(trans), blasint(rows), blasint(cols), alpha, a, blasint(lda), x, 1, beta, y, 1)
  }
}

extension Double: Scalar {
  @inlinable public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
  @inlinable public static func log(_ x: Double) -> Double { Foundation.log(x) }
  public static func gemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Double,
    a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
    beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
  ) {
    cblas_dgemm(
      CblasRowMajor, blasTranspose(transA), blasTranspose(transB), blasint(m), blasint(n), blasint(k), alpha,
      a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
  }
}

/// OpenBLAS's own threading; the trial scheduler pins it to one thread per trial.
public enum BLAS {
  /// Makes the process run with `OPENBLAS_NUM_THREADS=1` from its start. One BLAS thread per
  /// trial is the design, but OpenBLAS reads its thread count only when it loads, and with more
  /// it starts worker threads that spin beside the trials; so a process started without the
  /// variable re-executes itself once with it (`OPENBLAS_CORETYPE` is left as it is). Call it
  /// first thing in `main`; if the re-exec fails the process simply carries on.
  public static func reexecuteSingleThreaded() {
    guard ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] != "1" else { return }
    setenv("OPENBLAS_NUM_THREADS", "1", 1)
    execv("/proc/self/exe", CommandLine.unsafeArgv)
  }

  /// Sets the number of threads OpenBLAS may use inside one call.
  public static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(n)) }
  /// The number of threads OpenBLAS currently uses.
  public static var threads: Int { Int(openblas_get_num_threads()) }
  /// OpenBLAS's build configuration string (version, target core).
  public static var configuration: String {
    guard let p = openblas_get_config() else { return "unknown" }
    return String(cString: p)
  }
  /// The core type OpenBLAS selected at run time.
  public static var coreName: String {
    guard let p = openblas_get_corename() else { return "unknown" }
    return String(cString: p)
  }
}
