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
      var row = rows[key] ?? RowSummary(
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
      (Problem.allCases.firstIndex { $0.rawValue == r.problem } ?? 99,
       Method.allCases.firstIndex { $0.rawValue == r.method } ?? 99, r.problem, r.method)
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
    func f(_ x: Double?, _ digits: Int = 2) -> String {
      guard let x else { return "—" }
      return x.isFinite ? String(format: "%.\(digits)f", x) : (x > 0 ? "inf" : "-inf")
    }
    let header = ["problem", "method", "n", "div", "max", "mean", "median", "std", "pearson", "spearman"]
    var lines = [header]
    for r in rows {
      lines.append([
        r.problem, r.method, "\(r.n)", "\(r.diverged)", f(r.max), f(r.mean), f(r.median), f(r.std),
        r.isDARTS ? f(r.pearson, 3) : "", r.isDARTS ? f(r.spearman, 3) : "",
      ])
    }
    let widths = header.indices.map { c in lines.map { $0[c].count }.max()! }
    return lines.map { cells in
      cells.enumerated().map { c, s in
        c < 2 ? s.padding(toLength: widths[c], withPad: " ", startingAt: 0)
          : String(repeating: " ", count: widths[c] - s.count) + s
      }.joined(separator: "  ")
    }.joined(separator: "\n") + "\n"
  }
}
