import Foundation

/// A minimal SVG writer: shapes and text in pixel coordinates, serialised as one standalone
/// document that any browser or Markdown viewer shows without other tools.
struct SVG {
  let width: Double
  let height: Double
  private var elements: [String] = []

  init(width: Double, height: Double) {
    self.width = width
    self.height = height
  }

  /// The whole document, a white background first so dark viewers stay readable.
  var document: String {
    """
    <?xml version="1.0" encoding="UTF-8"?>
    <svg xmlns="http://www.w3.org/2000/svg" width="\(f(width))" height="\(f(height))" \
    viewBox="0 0 \(f(width)) \(f(height))" font-family="Helvetica, Arial, sans-serif">
    <rect x="0" y="0" width="\(f(width))" height="\(f(height))" fill="#ffffff"/>
    \(elements.joined(separator: "\n"))
    </svg>

    """
  }

  mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String = "#000000", width: Double = 1) {
    elements.append(
      "<line x1=\"\(f(x1))\" y1=\"\(f(y1))\" x2=\"\(f(x2))\" y2=\"\(f(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(f(width))\"/>")
  }

  mutating func rect(
    _ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String, opacity: Double = 1, stroke: String? = nil,
    cls: String? = nil, title: String? = nil
  ) {
    var a = "x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(w))\" height=\"\(f(h))\" fill=\"\(fill)\""
    if opacity < 1 { a += " fill-opacity=\"\(f(opacity, 3))\"" }
    if let stroke { a += " stroke=\"\(stroke)\"" }
    append("rect", a, cls: cls, title: title)
  }

  /// A data mark; `cls` lets tests and stylesheets find the marks among the decoration.
  mutating func circle(_ cx: Double, _ cy: Double, r: Double, fill: String, cls: String? = nil, title: String? = nil) {
    let a = "cx=\"\(f(cx))\" cy=\"\(f(cy))\" r=\"\(f(r))\" fill=\"\(fill)\" fill-opacity=\"0.75\""
    append("circle", a, cls: cls, title: title)
  }

  mutating func text(
    _ s: String, _ x: Double, _ y: Double, size: Double = 12, anchor: String = "start", bold: Bool = false,
    fill: String = "#000000", rotate: Bool = false
  ) {
    var a = "x=\"\(f(x))\" y=\"\(f(y))\" font-size=\"\(f(size))\" text-anchor=\"\(anchor)\" fill=\"\(fill)\""
    if bold { a += " font-weight=\"bold\"" }
    if rotate { a += " transform=\"rotate(-90 \(f(x)) \(f(y)))\"" }
    elements.append("<text \(a)>\(SVG.escape(s))</text>")
  }

  /// A horizontal axis at pixel height `y` with ticks, grid lines up to `top`, and a label.
  mutating func xAxis(_ scale: LinearScale, y: Double, top: Double, label: String) {
    line(scale.from, y, scale.to, y)
    for t in scale.ticks {
      line(scale(t), top, scale(t), y, stroke: "#e5e5e5")
      line(scale(t), y, scale(t), y + 4)
      text(LinearScale.label(t, step: scale.step), scale(t), y + 16, size: 11, anchor: "middle")
    }
    text(label, (scale.from + scale.to) / 2, y + 34, anchor: "middle")
  }

  /// A vertical axis at pixel `x` with ticks, grid lines across to `right`, and a label.
  mutating func yAxis(_ scale: LinearScale, x: Double, right: Double, label: String) {
    line(x, scale.from, x, scale.to)
    for t in scale.ticks {
      line(x, scale(t), right, scale(t), stroke: "#e5e5e5")
      line(x - 4, scale(t), x, scale(t))
      text(LinearScale.label(t, step: scale.step), x - 6, scale(t) + 4, size: 11, anchor: "end")
    }
    text(label, x - 42, (scale.from + scale.to) / 2, anchor: "middle", rotate: true)
  }

  private mutating func append(_ tag: String, _ attributes: String, cls: String?, title: String?) {
    let c = cls.map { " class=\"\($0)\"" } ?? ""
    if let title {
      elements.append("<\(tag) \(attributes)\(c)><title>\(SVG.escape(title))</title></\(tag)>")
    } else {
      elements.append("<\(tag) \(attributes)\(c)/>")
    }
  }

  static func escape(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
  }

  private func f(_ x: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", x) }
}

/// A linear map from a data interval onto a pixel interval, with round tick values.
struct LinearScale {
  let lo: Double
  let hi: Double
  let from: Double
  let to: Double

  /// Covers `values` with a 5% margin; a single value or none gets a unit-wide interval.
  init(covering values: [Double], pixels: (Double, Double)) {
    var lo = values.min() ?? 0, hi = values.max() ?? 1
    if hi - lo < 1e-9 {
      lo -= 0.5
      hi += 0.5
    }
    let pad = (hi - lo) * 0.05
    self.lo = lo - pad
    self.hi = hi + pad
    (from, to) = pixels
  }

  func callAsFunction(_ v: Double) -> Double { from + (v - lo) / (hi - lo) * (to - from) }

  /// A step of 1, 2 or 5 × 10ᵏ giving about five ticks.
  var step: Double {
    let raw = (hi - lo) / 5
    let p = pow(10, (log10(raw)).rounded(.down))
    return [1.0, 2, 5, 10].map { $0 * p }.first { $0 >= raw } ?? 10 * p
  }

  var ticks: [Double] {
    let s = step
    let first = (lo / s).rounded(.up)
    // Multiples of the step by index, so no rounding error accumulates across ticks.
    return (0...Int(((hi / s) - first).rounded(.down))).map { k in
      let t = (first + Double(k)) * s
      return abs(t) < s * 1e-9 ? 0 : t
    }
  }

  /// A tick label with as many decimals as the step needs.
  static func label(_ v: Double, step: Double) -> String {
    let digits = max(0, Int((-log10(step)).rounded(.up)))
    return String(format: "%.\(digits)f", v)
  }
}

/// The colours of every figure (the colour-blind-safe Dark2 palette).
enum Palette {
  static let dark2 = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666"]

  /// A method's colour, the same in every figure.
  static func color(_ method: String) -> String {
    Method.allCases.firstIndex { $0.rawValue == method }.map { dark2[$0] } ?? "#666666"
  }

  /// The colour of the `i`-th line of a figure whose lines are not methods.
  static func series(_ i: Int) -> String { dark2[i % dark2.count] }
}
