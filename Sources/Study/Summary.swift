import Foundation
import InverseProblems

/// One row of Table 1: a method on a problem, summarised from its records.
public struct RowSummary: Sendable {
  public var method: String
  public var problem: String
  public var n: Int
  public var diverged: Int
  /// Architecture PSNR of the trials that did not diverge.
  public var psnrs: [Double]
  /// (one-shot validation PSNR, architecture PSNR) pairs of DARTS trials that did not diverge.
  public var pairs: [(Double, Double)]
  public var isDARTS: Bool

  public var max: Double? { psnrs.max() }
  public var min: Double? { psnrs.min() }
  public var mean: Double? { Statistics.mean(psnrs) }
  public var median: Double? { Statistics.median(psnrs) }
  public var std: Double? { Statistics.std(psnrs) }
  public var pearson: Double? { Statistics.pearson(pairs.map(\.0), pairs.map(\.1)) }
  public var spearman: Double? { Statistics.spearman(pairs.map(\.0), pairs.map(\.1)) }
  public var kendall: Double? { Statistics.kendallTauB(pairs.map(\.0), pairs.map(\.1)) }

  /// Groups records into rows, ordered by problem then method (the plan's order).
  public static func rows(_ records: [JSON]) -> [RowSummary] {
    var rows: [String: RowSummary] = [:]
    for r in records {
      guard let m = r["method"]?.string, let p = r["problem"]?.string else { continue }
      let key = p + "\u{1}" + m
      var row =
        rows[key]
        ?? RowSummary(
          method: m, problem: p, n: 0, diverged: 0, psnrs: [], pairs: [],
          isDARTS: Method(rawValue: m)?.isDARTS ?? false)
      row.n += 1
      if r["diverged"]?.bool == true {
        row.diverged += 1
      } else if let a = r["architecture_psnr"]?.double, !a.isNaN {
        row.psnrs.append(a)
        if let o = r["oneshot_val_psnr"]?.double, o.isFinite, a.isFinite { row.pairs.append((o, a)) }
      }
      rows[key] = row
    }
    func rank(_ r: RowSummary) -> (Int, Int, String, String) {
      (
        Problem.allCases.firstIndex { $0.rawValue == r.problem } ?? 99,
        Method.allCases.firstIndex { $0.rawValue == r.method } ?? 99, r.problem, r.method
      )
    }
    return rows.values.sorted { rank($0) < rank($1) }
  }

  /// The row as JSON (undefined statistics are null).
  public var json: JSON {
    var kv: [(String, JSON)] = [
      ("method", .string(method)), ("problem", .string(problem)), ("n", .number(Double(n))),
      ("diverged", .number(Double(diverged))), ("max", .num(max)), ("mean", .num(mean)),
      ("median", .num(median)), ("std", .num(std)), ("min", .num(min)),
    ]
    if isDARTS {
      kv += [("pearson", .num(pearson)), ("spearman", .num(spearman)), ("kendall_tau_b", .num(kendall))]
    }
    return .object(kv)
  }

  /// The Table 1 layout as text.
  public static func table(_ rows: [RowSummary]) -> String {
    alignedTable(
      ["problem", "method", "n", "div", "max", "mean", "median", "std", "pearson", "spearman", "kendall"],
      rows.map { r in
        [r.problem, r.method, "\(r.n)", "\(r.diverged)"] + [r.max, r.mean, r.median, r.std].map { reportNumber($0) }
          + r.correlationCells
      }, left: 2)
  }

  /// Pearson, Spearman and Kendall τ-b in three decimals for a DARTS row, blank cells otherwise.
  var correlationCells: [String] {
    isDARTS ? [pearson, spearman, kendall].map { $0.map { String(format: "%.3f", $0) } ?? "—" } : ["", "", ""]
  }
}

/// A text table for the terminal: the first `left` columns left-aligned, the rest (numbers)
/// right-aligned, two spaces between columns.
func alignedTable(_ header: [String], _ lines: [[String]], left: Int) -> String {
  let all = [header] + lines
  let widths = header.indices.map { c in all.map { $0[c].count }.max()! }
  return all.map { cells in
    cells.enumerated().map { c, s in
      c < left
        ? s.padding(toLength: widths[c], withPad: " ", startingAt: 0) : String(repeating: " ", count: widths[c] - s.count) + s
    }.joined(separator: "  ")
  }.joined(separator: "\n") + "\n"
}

/// What `summarise` computed from a directory's records: a study's rows or a sweep's cells.
public enum StudySummary: Sendable {
  case study([RowSummary])
  case sweep(SweepAnalysis)

  /// Rows for a study's records, cells for a sweep's (records that carry their cell).
  public init(records: [JSON]) {
    self = SweepAnalysis.isSweep(records) ? .sweep(SweepAnalysis(records: records)) : .study(RowSummary.rows(records))
  }

  /// What `summary.json` holds.
  public var json: JSON {
    switch self {
    case .study(let rows): return .array(rows.map(\.json))
    case .sweep(let s): return s.json
    }
  }

  /// The table the commands print.
  public var table: String {
    switch self {
    case .study(let rows): return RowSummary.table(rows)
    case .sweep(let s): return s.table
    }
  }
}
