import Foundation

/// The marginal mean architecture PSNR across one swept key's values (every other key
/// averaged over), one line per stratum, with the cell means it averages as small marks.
func sweepLineSVG(_ sweep: SweepAnalysis, key: String) -> String {
  let values = sweep.values[key] ?? []
  let strata = sweep.strata(sweeping: [key])
  let left = 80.0, right = 580.0, bottom = 380.0
  let top = 40.0 + 18 * Double(strata.count)
  let cellMeans = strata.map { s in
    values.map { v in
      sweep.rows(problem: s.problem, method: s.method, fixed: [(key, v)]).compactMap {
        $0.mean.flatMap { $0.isFinite ? $0 : nil }
      }
    }
  }
  let ys = LinearScale(covering: cellMeans.flatMap { $0.flatMap { $0 } }, pixels: (bottom, top))
  // The values are categories in the order given (often log-spaced), so they sit evenly.
  let x = { (i: Int) in left + (right - left) * (Double(i) + 0.5) / Double(max(values.count, 1)) }
  var svg = SVG(width: right + 20, height: bottom + 60)
  svg.text("Mean architecture PSNR across \(key) (other keys averaged over)", 10, 20, size: 14, bold: true)
  svg.yAxis(ys, x: left, right: right, label: "architecture PSNR (dB)")
  svg.line(left, bottom, right, bottom)
  for (i, v) in values.enumerated() {
    svg.line(x(i), bottom, x(i), bottom + 4)
    svg.text(v, x(i), bottom + 16, size: 11, anchor: "middle")
  }
  svg.text(key, (left + right) / 2, bottom + 36, anchor: "middle")
  for (s, stratum) in strata.enumerated() {
    let color = Palette.series(s)
    let name = [stratum.problem, stratum.method].compactMap { $0 }.joined(separator: " ")
    svg.circle(16, 36 + 18 * Double(s), r: 4, fill: color)
    svg.text(name.isEmpty ? "all" : name, 26, 40 + 18 * Double(s), size: 11)
    var previous: (Double, Double)? = nil
    for (i, v) in values.enumerated() {
      for m in cellMeans[s][i] { svg.circle(x(i), ys(m), r: 2, fill: color) }
      guard let mean = Statistics.mean(cellMeans[s][i]) else {
        previous = nil
        continue
      }
      if let (px, py) = previous { svg.line(px, py, x(i), ys(mean), stroke: color, width: 2) }
      svg.circle(x(i), ys(mean), r: 4.5, fill: color, cls: "mark", title: String(format: "\(name) \(key)=\(v): %.2f dB", mean))
      previous = (x(i), ys(mean))
    }
  }
  return svg.document
}

/// The mean architecture PSNR over two swept keys (other keys averaged over), one panel per
/// stratum; a cell's shade runs from the panel's lowest mean (light) to its highest (dark).
func sweepHeatmapSVG(_ sweep: SweepAnalysis, _ a: String, _ b: String) -> String {
  let rowValues = sweep.values[a] ?? [], columnValues = sweep.values[b] ?? []
  let strata = sweep.strata(sweeping: [a, b])
  let cellW = 64.0, cellH = 26.0, labelW = 80.0, gap = 40.0, top = 76.0
  // Panels are as wide as their titles need (about 7.5 px a character at 12 px bold), and the
  // figure as wide as its own title, so no text runs off the edge.
  let title = "Mean architecture PSNR (dB): \(a) down, \(b) across"
  let longestStratum = strata.map { [$0.problem, $0.method].compactMap { $0 }.joined(separator: " ").count + 20 }.max() ?? 0
  let panelW = max(labelW + cellW * Double(columnValues.count), labelW + 7.5 * Double(longestStratum))
  let width = max(10 + (panelW + gap) * Double(max(strata.count, 1)), 20 + 8.8 * Double(title.count))
  var svg = SVG(width: width, height: top + cellH * Double(rowValues.count) + 30)
  svg.text(title, 10, 20, size: 14, bold: true)
  for (p, stratum) in strata.enumerated() {
    let x0 = 10 + (panelW + gap) * Double(p)
    let means = rowValues.map { va in
      columnValues.map { vb in sweep.marginalMean(problem: stratum.problem, method: stratum.method, fixed: [(a, va), (b, vb)]) }
    }
    let finite = means.flatMap { $0.compactMap { $0 } }
    let lo = finite.min() ?? 0, hi = finite.max() ?? 0
    let name = [stratum.problem, stratum.method].compactMap { $0 }.joined(separator: " ")
    let shown = (name.isEmpty ? "all" : name) + " (\(reportNumber(finite.min()))–\(reportNumber(finite.max())) dB)"
    svg.text(shown, x0 + labelW, top - 40, size: 12, bold: true)
    svg.text(b, x0 + labelW, top - 24, size: 11)
    svg.text(a, x0 + labelW - 6, top - 6, size: 11, anchor: "end")
    for (j, v) in columnValues.enumerated() {
      svg.text(v, x0 + labelW + cellW * (Double(j) + 0.5), top - 6, size: 11, anchor: "middle")
    }
    for (i, va) in rowValues.enumerated() {
      let y = top + cellH * Double(i)
      svg.text(va, x0 + labelW - 6, y + cellH / 2 + 4, size: 11, anchor: "end")
      for (j, vb) in columnValues.enumerated() {
        let x = x0 + labelW + cellW * Double(j)
        // Shade from 0.1 (lowest) to 0.9 (highest), so no cell vanishes into the background.
        let share = means[i][j].map { hi > lo ? 0.1 + 0.8 * ($0 - lo) / (hi - lo) : 0.5 } ?? 0
        svg.rect(x, y, cellW, cellH, fill: "#ffffff", stroke: "#cccccc")
        svg.rect(
          x, y, cellW, cellH, fill: "#08519c", opacity: share, cls: "cell",
          title: "\(name) \(a)=\(va), \(b)=\(vb): \(reportNumber(means[i][j])) dB")
        svg.text(
          reportNumber(means[i][j]), x + cellW / 2, y + cellH / 2 + 4, size: 11, anchor: "middle",
          fill: share > 0.5 ? "#ffffff" : "#000000")
      }
    }
  }
  return svg.document
}
