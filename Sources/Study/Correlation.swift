import Numerics

/// How well the one-shot validation PSNR predicts the architecture PSNR in one DARTS row:
/// three correlations, each with a seeded percentile-bootstrap 95% interval.
struct CorrelationSummary {
  /// One correlation coefficient and its interval.
  struct Estimate {
    var value: Double?
    var interval: (lower: Double, upper: Double)?
    /// Why `value` is missing ("n < 2", "undefined (constant input)").
    var reason: String?
    /// Pairs behind the estimate (an interval needs three).
    var pairs = 0

    /// `0.123 [−0.05, 0.29]`, or the reason it is undefined; never NaN.
    var text: String {
      guard let value else { return reason ?? "undefined" }
      let ci =
        interval.map { String(format: " [%.3f, %.3f]", $0.lower, $0.upper) }
        ?? (pairs < 3 ? " [no interval: n < 3]" : " [interval undefined]")
      return String(format: "%.3f", value) + ci
    }
  }

  static let resamples = 2000
  var pairs: Int
  var pearson: Estimate
  var spearman: Estimate
  var kendall: Estimate

  /// The correlations of (one-shot, architecture) PSNR pairs; the bootstrap stream is seeded
  /// from the row's names, so every report of the same results is identical.
  init(points: [(x: Double, y: Double)], method: String, problem: String) {
    let x = points.map(\.x), y = points.map(\.y)
    pairs = points.count
    let reason = Statistics.undefinedCorrelationReason(x, y)
    func estimate(_ name: String, _ f: ([Double], [Double]) -> Double?) -> Estimate {
      guard x.count >= 2, let v = f(x, y) else { return Estimate(reason: reason ?? "undefined (constant input)") }
      let seed = deriveSeed(stableHash(method), stableHash(problem), stableHash(name))
      let ci = Statistics.bootstrapInterval(x, y, resamples: Self.resamples, seed: seed, f)
      return Estimate(value: v, interval: ci, pairs: x.count)
    }
    pearson = estimate("pearson", Statistics.pearson)
    spearman = estimate("spearman", Statistics.spearman)
    kendall = estimate("kendall", Statistics.kendallTauB)
  }
}
