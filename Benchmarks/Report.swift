import Foundation
import Study

/// One of the issue's targets, judged on this run's figures (nil when it could not be measured).
struct Target {
  var name: String
  var measured: String
  var pass: Bool?

  var line: String { "\(pass.map { $0 ? "PASS" : "MISS" } ?? "N/A ")  \(name): \(measured)" }
  var json: JSON {
    .object([
      ("name", .string(name)), ("measured", .string(measured)),
      ("pass", pass.map { .bool($0) } ?? .null),
    ])
  }
}

/// What one benchmark produced: a table for people, the raw measurements for the JSON file, and
/// the targets it decides.
struct Section {
  var key: String
  var title: String
  var columns: [String]
  var rows: [[String]] = []
  var notes: [String] = []
  var json: JSON = .null
  var targets: [Target] = []

  /// The table in fixed-width columns, then the notes.
  var text: String {
    var out = "\n== \(title) ==\n"
    let widths = columns.indices.map { c in
      ([columns[c]] + rows.map { c < $0.count ? $0[c] : "" }).map(\.count).max()!
    }
    func line(_ cells: [String]) -> String {
      cells.enumerated().map { c, s in
        let pad = String(repeating: " ", count: widths[c] - s.count)
        return c == 0 ? s + pad : pad + s
      }.joined(separator: "  ")
    }
    if !rows.isEmpty {
      out += line(columns) + "\n"
      out += line(widths.map { String(repeating: "-", count: $0) }) + "\n"
      for r in rows { out += line(r) + "\n" }
    }
    for n in notes { out += "  \(n)\n" }
    return out
  }

  /// The table as Markdown, then the notes as a list.
  var markdown: String {
    var out = "## \(title)\n\n"
    if !rows.isEmpty {
      out += "| " + columns.joined(separator: " | ") + " |\n"
      out += "|" + columns.indices.map { $0 == 0 ? "---|" : "---:|" }.joined() + "\n"
      for r in rows { out += "| " + r.joined(separator: " | ") + " |\n" }
      out += "\n"
    }
    for n in notes { out += "- \(n)\n" }
    return out + (notes.isEmpty ? "" : "\n")
  }
}

/// Numbers as the tables print them.
enum Format {
  static func fixed(_ x: Double, _ digits: Int) -> String {
    x.isFinite ? String(format: "%.\(digits)f", x) : "—"
  }
  /// Seconds with a unit that keeps three significant digits readable.
  static func time(_ s: Double) -> String {
    guard s.isFinite else { return "—" }
    if s >= 1 { return String(format: "%.2f s", s) }
    if s >= 1e-3 { return String(format: "%.2f ms", s * 1e3) }
    return String(format: "%.1f µs", s * 1e6)
  }
  static func scientific(_ x: Double) -> String { x.isFinite ? String(format: "%.1e", x) : "—" }
  static func ratio(_ x: Double) -> String { x.isFinite ? String(format: "%.2f×", x) : "—" }
  static func mib(_ bytes: Int) -> String { String(format: "%.1f MiB", Double(bytes) / 1_048_576) }
}
