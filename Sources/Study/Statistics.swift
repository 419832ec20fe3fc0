import Foundation

/// Descriptive statistics and rank correlations for the report. Undefined values (a
/// correlation of constant inputs, the spread of one value) are `nil`, never NaN.
public enum Statistics {
  public static func mean(_ x: [Double]) -> Double? { x.isEmpty ? nil : x.reduce(0, +) / Double(x.count) }

  /// The middle value, or the mean of the two middle values for even counts.
  public static func median(_ x: [Double]) -> Double? {
    guard !x.isEmpty else { return nil }
    let s = x.sorted()
    let n = s.count
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
  }

  /// Sample standard deviation (n − 1); nil below two values.
  public static func std(_ x: [Double]) -> Double? {
    guard x.count > 1, let m = mean(x) else { return nil }
    return (x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - 1)).squareRoot()
  }

  /// The pooled standard deviation of several groups, √(Σ (nᵢ − 1) sᵢ² / Σ (nᵢ − 1)): the
  /// spread within groups whatever their means; nil without two values in some group.
  public static func pooledStd(_ groups: [[Double]]) -> Double? {
    var squares = 0.0, dof = 0
    for g in groups where g.count > 1 {
      let m = mean(g)!
      squares += g.reduce(0) { $0 + ($1 - m) * ($1 - m) }
      dof += g.count - 1
    }
    return dof > 0 ? (squares / Double(dof)).squareRoot() : nil
  }

  /// Pearson's r; nil for fewer than two pairs or a constant input.
  public static func pearson(_ x: [Double], _ y: [Double]) -> Double? {
    precondition(x.count == y.count)
    guard x.count > 1, let mx = mean(x), let my = mean(y) else { return nil }
    var sxy = 0.0, sxx = 0.0, syy = 0.0
    for i in x.indices {
      sxy += (x[i] - mx) * (y[i] - my)
      sxx += (x[i] - mx) * (x[i] - mx)
      syy += (y[i] - my) * (y[i] - my)
    }
    guard sxx > 0, syy > 0 else { return nil }
    return max(-1, min(1, sxy / (sxx * syy).squareRoot()))
  }

  /// Ranks from 1, ties sharing their average rank.
  public static func ranks(_ x: [Double]) -> [Double] {
    let order = x.indices.sorted { x[$0] < x[$1] }
    var r = [Double](repeating: 0, count: x.count)
    var i = 0
    while i < order.count {
      var j = i
      while j + 1 < order.count && x[order[j + 1]] == x[order[i]] { j += 1 }
      let avg = Double(i + j) / 2 + 1
      for k in i...j { r[order[k]] = avg }
      i = j + 1
    }
    return r
  }

  /// Spearman's ρ: Pearson's r of the tie-averaged ranks.
  public static func spearman(_ x: [Double], _ y: [Double]) -> Double? { pearson(ranks(x), ranks(y)) }

  /// Kendall's τ-b, which corrects for ties in either variable; nil when one is constant.
  public static func kendallTauB(_ x: [Double], _ y: [Double]) -> Double? {
    precondition(x.count == y.count)
    let n = x.count
    guard n > 1 else { return nil }
    var concordant = 0.0, discordant = 0.0, tiesX = 0.0, tiesY = 0.0
    for i in 0..<n {
      for j in (i + 1)..<n {
        let dx = x[i] - x[j], dy = y[i] - y[j]
        if dx == 0 && dy == 0 { continue }
        if dx == 0 { tiesX += 1; continue }
        if dy == 0 { tiesY += 1; continue }
        if (dx > 0) == (dy > 0) { concordant += 1 } else { discordant += 1 }
      }
    }
    let n0 = concordant + discordant
    let denom = ((n0 + tiesX) * (n0 + tiesY)).squareRoot()
    guard denom > 0 else { return nil }
    return (concordant - discordant) / denom
  }
}
