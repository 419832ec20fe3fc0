import Foundation
import Numerics

/// The spread of every row of one problem on a shared PSNR axis: a box (quartiles, median,
/// whiskers to min and max) behind a strip of one mark per trial, jittered so ties stay visible.
func spreadSVG(problem: String, rows: [(method: String, outcomes: [TrialOutcome])]) -> String {
  let finite = rows.map { r in r.outcomes.compactMap { o in o.architecturePSNR.flatMap { $0.isFinite ? $0 : nil } } }
  let left = 100.0, right = 560.0, top = 40.0, rowHeight = 44.0
  let bottom = top + rowHeight * Double(max(rows.count, 1))
  let xs = LinearScale(covering: finite.flatMap { $0 }, pixels: (left, right))
  var svg = SVG(width: right + 130, height: bottom + 50)
  svg.text("Spread of architecture PSNR — \(problem) (one mark per trial)", 10, 20, size: 14, bold: true)
  svg.xAxis(xs, y: bottom, top: top, label: "architecture PSNR (dB)")
  for (i, row) in rows.enumerated() {
    let mid = top + rowHeight * (Double(i) + 0.5)
    let color = Palette.color(row.method)
    svg.text(row.method, left - 8, mid + 4, anchor: "end")
    let sorted = finite[i].sorted()
    if let q1 = Statistics.quantile(sorted: sorted, 0.25), let q3 = Statistics.quantile(sorted: sorted, 0.75),
      let med = Statistics.median(sorted), let lo = sorted.first, let hi = sorted.last
    {
      svg.line(xs(lo), mid, xs(hi), mid, stroke: color)
      svg.rect(xs(q1), mid - 12, max(xs(q3) - xs(q1), 1), 24, fill: color, opacity: 0.15, stroke: color)
      svg.line(xs(med), mid - 12, xs(med), mid + 12, stroke: color, width: 2.5)
    }
    for o in row.outcomes {
      guard let p = o.architecturePSNR, p.isFinite else { continue }
      // Jitter from the trial index alone, so the figure is the same on every run.
      let jitter = Double(splitMix64(UInt64(o.trial)) >> 11) * 0x1p-53 * 16 - 8
      let title = String(format: "\(row.method) trial \(o.trial): %.2f dB", p)
      svg.circle(xs(p), mid + jitter, r: 2.5, fill: color, cls: "mark", title: title)
    }
    let diverged = row.outcomes.filter(\.diverged).count
    let note = "n = \(row.outcomes.count)" + (diverged > 0 ? ", \(diverged) diverged" : "")
    svg.text(note, right + 10, mid + 4, size: 11)
  }
  return svg.document
}
