import Numerics

extension Statistics {
  /// The `p`-quantile of sorted values by linear interpolation between order statistics
  /// (Hyndman–Fan type 7, the default of R and NumPy); nil for no values.
  public static func quantile(sorted s: [Double], _ p: Double) -> Double? {
    guard !s.isEmpty else { return nil }
    let h = Double(s.count - 1) * Swift.min(1, Swift.max(0, p))
    let i = Int(h.rounded(.down))
    return i + 1 < s.count ? s[i] + (h - Double(i)) * (s[i + 1] - s[i]) : s[i]
  }

  /// A percentile-bootstrap interval of a paired statistic: pairs are resampled with
  /// replacement from a stream seeded by `seed`, so the interval is reproducible. Resamples on
  /// which the statistic is undefined (e.g. all one pair) are skipped; nil below three pairs or
  /// when fewer than half of the resamples are defined, since the interval would then describe
  /// the few lucky resamples rather than the data.
  public static func bootstrapInterval(
    _ x: [Double], _ y: [Double], resamples: Int = 2000, level: Double = 0.95, seed: UInt64,
    _ statistic: ([Double], [Double]) -> Double?
  ) -> (lower: Double, upper: Double)? {
    precondition(x.count == y.count)
    let n = x.count
    guard n >= 3, resamples > 0 else { return nil }
    var rng = RandomStream(seed: seed, stream: "bootstrap")
    var values: [Double] = []
    values.reserveCapacity(resamples)
    var bx = [Double](repeating: 0, count: n), by = bx
    for _ in 0..<resamples {
      for k in 0..<n {
        let i = rng.index(below: n)
        bx[k] = x[i]
        by[k] = y[i]
      }
      if let v = statistic(bx, by), v.isFinite { values.append(v) }
    }
    guard values.count * 2 >= resamples else { return nil }
    values.sort()
    let tail = (1 - level) / 2
    return (quantile(sorted: values, tail)!, quantile(sorted: values, 1 - tail)!)
  }

  /// Why a correlation of `x` and `y` is undefined, in the report's words; nil when defined.
  public static func undefinedCorrelationReason(_ x: [Double], _ y: [Double]) -> String? {
    if x.count < 2 { return "n < 2" }
    return pearson(x, y) == nil ? "undefined (constant input)" : nil
  }
}
