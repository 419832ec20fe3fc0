import Foundation

/// How often each op was chosen in each layer, one panel per method (ops down, layers
/// across); a cell's shade and number are the share of the row's architectures.
func opHeatmapSVG(problem: String, panels: [(method: String, frequency: OpFrequency)]) -> String {
  let cellW = 40.0, cellH = 24.0, labelW = 50.0, gap = 30.0
  let layers = panels.map(\.frequency.layers).max() ?? 0
  let ops = panels.first?.frequency.ops ?? []
  let panelW = labelW + cellW * Double(layers)
  let top = 60.0
  var svg = SVG(width: 10 + (panelW + gap) * Double(max(panels.count, 1)), height: top + cellH * Double(ops.count) + 40)
  svg.text("Chosen ops per layer — \(problem) (% of architectures)", 10, 20, size: 14, bold: true)
  for (p, panel) in panels.enumerated() {
    let x0 = 10 + (panelW + gap) * Double(p)
    let f = panel.frequency
    svg.text("\(panel.method) (n = \(f.architectures))", x0 + labelW, top - 24, size: 12, bold: true)
    for layer in 0..<layers {
      svg.text("\(layer + 1)", x0 + labelW + cellW * (Double(layer) + 0.5), top - 6, size: 11, anchor: "middle")
    }
    for (o, op) in ops.enumerated() {
      let y = top + cellH * Double(o)
      svg.text(op, x0 + labelW - 6, y + cellH / 2 + 4, size: 11, anchor: "end")
      for layer in 0..<layers {
        let share = layer < f.layers ? f.share(op: o, layer: layer) : 0
        let x = x0 + labelW + cellW * Double(layer)
        svg.rect(x, y, cellW, cellH, fill: "#ffffff", stroke: "#cccccc")
        svg.rect(
          x, y, cellW, cellH, fill: "#08519c", opacity: share, cls: "cell",
          title: "\(panel.method), layer \(layer + 1), \(op): \(layer < f.layers ? f.counts[o][layer] : 0) of \(f.architectures)")
        svg.text(
          String(format: "%.0f", share * 100), x + cellW / 2, y + cellH / 2 + 4, size: 11, anchor: "middle",
          fill: share > 0.5 ? "#ffffff" : "#000000")
      }
    }
    svg.text("layer →", x0 + labelW, top + cellH * Double(ops.count) + 18, size: 11)
  }
  return svg.document
}
