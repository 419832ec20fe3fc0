import Foundation

/// The poster's Figure 2 for one problem: architecture PSNR (y) against one-shot validation
/// PSNR (x), one mark per DARTS trial with both scores, the correlations written above.
func figure2SVG(problem: String, rows: [(method: String, outcomes: [TrialOutcome])], correlations: [String: CorrelationSummary])
  -> String
{
  let points = rows.flatMap { r in r.outcomes.compactMap(\.scatterPoint) }
  let left = 70.0, right = 620.0, bottom = 400.0
  let top = 40.0 + 18 * Double(rows.count)
  let xs = LinearScale(covering: points.map(\.x), pixels: (left, right))
  let ys = LinearScale(covering: points.map(\.y), pixels: (bottom, top))
  var svg = SVG(width: right + 20, height: bottom + 66)
  svg.text("Figure 2 — \(problem): one-shot score against the retrained architecture", 10, 20, size: 14, bold: true)
  svg.xAxis(xs, y: bottom, top: top, label: "one-shot validation PSNR (dB)")
  svg.yAxis(ys, x: left, right: right, label: "architecture PSNR (dB)")
  for (i, row) in rows.enumerated() {
    let color = Palette.color(row.method)
    let c = correlations[row.method]
    let diverged = row.outcomes.count - row.outcomes.compactMap(\.scatterPoint).count
    var line = "\(row.method) (n = \(c?.pairs ?? 0))"
    if let c, c.pearson.value != nil {
      line += ": Pearson \(short(c.pearson)), Spearman \(short(c.spearman)), Kendall τ-b \(short(c.kendall))"
    } else if let c {
      line += ": correlation \(c.pearson.reason ?? "undefined")"  // the same reason for all three
    }
    if diverged > 0 { line += "; \(diverged) not shown (diverged or non-finite)" }
    let y = 40 + 18 * Double(i)
    svg.circle(16, y - 4, r: 4, fill: color)
    svg.text(line, 26, y, size: 11)
    for o in row.outcomes {
      guard let p = o.scatterPoint else { continue }
      let title = String(format: "\(row.method) trial \(o.trial): one-shot %.2f dB, architecture %.2f dB", p.x, p.y)
      svg.circle(xs(p.x), ys(p.y), r: 3.5, fill: color, cls: "mark", title: title)
    }
  }
  return svg.document
}

/// A coefficient in two decimals, or why it is undefined.
private func short(_ e: CorrelationSummary.Estimate) -> String {
  e.value.map { String(format: "%.2f", $0) } ?? (e.reason ?? "undefined")
}
