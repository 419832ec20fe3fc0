import Foundation
import Numerics

/// Peak signal-to-noise ratio of SPEC §6, accumulated in Double.
public enum PSNR {
  /// `10·log10(R² / MSE)` of one signal, `R = max(truth) − min(truth)`; `+inf` when the
  /// estimate is exact, NaN when it is not finite.
  public static func signal<S: Scalar>(_ estimate: UnsafePointer<S>, _ truth: UnsafePointer<S>, length: Int) -> Double {
    var lo = Double.infinity, hi = -Double.infinity, se = 0.0
    for t in 0..<length {
      let x = Double(truth[t])
      lo = min(lo, x)
      hi = max(hi, x)
      let e = Double(estimate[t]) - x
      se += e * e
    }
    let mse = se / Double(length)
    if !mse.isFinite { return .nan }
    if mse == 0 { return .infinity }
    return 10 * log10((hi - lo) * (hi - lo) / mse)
  }

  /// Sum of the per-signal PSNRs of a batch `[batch, length]` (callers divide by the total).
  public static func sum<S: Scalar>(_ estimate: UnsafePointer<S>, _ truth: UnsafePointer<S>, batch: Int, length: Int) -> Double {
    (0..<batch).reduce(0) { $0 + signal(estimate + $1 * length, truth + $1 * length, length: length) }
  }
}
