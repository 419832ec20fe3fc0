import Foundation

/// One cell of a sweep: its swept values and its rows (one per problem and method).
public struct CellSummary: Sendable {
  public var index: Int
  /// Each swept key with its value as text (`cellLabel`), in the grid's key order.
  public var values: [(key: String, value: String)]
  public var rows: [RowSummary]

  /// The cell's value of `key`.
  public func value(_ key: String) -> String? { values.first { $0.key == key }?.value }
}

/// How far one swept key moves the mean architecture PSNR within one stratum.
public struct Sensitivity: Sendable {
  public var key: String
  /// The stratum the means are taken within; nil where the key itself sweeps problems or methods.
  public var problem: String?
  public var method: String?
  /// The marginal mean at each of the key's values: the mean of the row means of the cells
  /// with that value, so every other key is averaged over with equal weight.
  public var marginals: [(value: String, mean: Double?)]
  /// The pooled within-cell standard deviation: how far single trials scatter around their
  /// cell's mean, the yardstick for `range`.
  public var pooledStd: Double?
  /// Trials with a finite architecture PSNR in the stratum.
  public var trials: Int

  /// Max − min of the marginal means.
  public var range: Double? {
    let m = marginals.compactMap(\.mean)
    guard let hi = m.max(), let lo = m.min() else { return nil }
    return hi - lo
  }

  /// The stratum as text ("all" where nothing separates it).
  public var stratum: String { [problem, method].compactMap { $0 }.joined(separator: " ").nonEmpty ?? "all" }
}

/// A sweep's records grouped by cell, with the marginal means that the sensitivity table,
/// heatmaps and line plots show. Reads `results.jsonl` records alone.
public struct SweepAnalysis: Sendable {
  /// The swept keys in grid order.
  public let keys: [String]
  /// Each key's values in grid order (the order of the cells they first appear in).
  public let values: [String: [String]]
  /// The cells with at least one record, by index.
  public let cells: [CellSummary]

  /// Whether the records come from a sweep (they carry their cell).
  public static func isSweep(_ records: [JSON]) -> Bool { records.contains { $0["cell"] != nil } }

  public init(records: [JSON]) {
    var byCell: [Int: (values: [(String, JSON)], records: [JSON])] = [:]
    for r in records {
      guard let i = r["cell_index"]?.int, case .object(let kv) = r["cell"] ?? .null else { continue }
      byCell[i, default: (kv, [])].records.append(r)
    }
    cells = byCell.keys.sorted().map { i in
      CellSummary(index: i, values: byCell[i]!.values.map { ($0.0, cellLabel($0.1)) }, rows: RowSummary.rows(byCell[i]!.records))
    }
    keys = cells.first?.values.map(\.key) ?? []
    var values: [String: [String]] = [:]
    for cell in cells {
      for (k, v) in cell.values where !(values[k]?.contains(v) ?? false) { values[k, default: []].append(v) }
    }
    self.values = values
  }

  /// Every (cell, row) pair: the units the marginal means average.
  var cellRows: [(cell: CellSummary, row: RowSummary)] { cells.flatMap { c in c.rows.map { (c, $0) } } }

  /// The strata that the swept `keys` leave apart: each problem unless `problems` is swept,
  /// each method unless `methods` is, in plan order.
  func strata(sweeping keys: [String]) -> [(problem: String?, method: String?)] {
    let rows = cellRows.map(\.row)
    let problems: [String?] = keys.contains("problems") ? [nil] : StudyOrder.problems(rows.map(\.problem))
    let methods: [String?] = keys.contains("methods") ? [nil] : StudyOrder.methods(rows.map(\.method))
    return problems.flatMap { p in
      methods.compactMap { m in
        rows.contains { r in (p == nil || r.problem == p) && (m == nil || r.method == m) } ? (p, m) : nil
      }
    }
  }

  /// The rows of a stratum in the cells that have every `fixed` value.
  func rows(problem: String?, method: String?, fixed: [(key: String, value: String)] = []) -> [RowSummary] {
    cellRows.filter { cr in
      (problem == nil || cr.row.problem == problem) && (method == nil || cr.row.method == method)
        && fixed.allSatisfy { cr.cell.value($0.key) == $0.value }
    }.map(\.row)
  }

  /// The mean of the finite row means of a stratum's cells with the `fixed` values.
  func marginalMean(problem: String?, method: String?, fixed: [(key: String, value: String)]) -> Double? {
    Statistics.mean(
      rows(problem: problem, method: method, fixed: fixed).compactMap { $0.mean.flatMap { $0.isFinite ? $0 : nil } })
  }

  /// For each swept key and stratum: the marginal means across the key's values, their range
  /// and the pooled trial spread.
  public var sensitivity: [Sensitivity] {
    keys.flatMap { key in
      strata(sweeping: [key]).map { s in
        let finite = rows(problem: s.problem, method: s.method).map { $0.psnrs.filter(\.isFinite) }
        return Sensitivity(
          key: key, problem: s.problem, method: s.method,
          marginals: (values[key] ?? []).map { v in
            (v, marginalMean(problem: s.problem, method: s.method, fixed: [(key, v)]))
          },
          pooledStd: Statistics.pooledStd(finite), trials: finite.reduce(0) { $0 + $1.count })
      }
    }
  }

  /// The per-cell rows and their statistics as JSON (what `summary.json` holds for a sweep).
  public var json: JSON {
    .array(
      cells.flatMap { c in
        c.rows.map { r -> JSON in
          guard case .object(let kv) = r.json else { return r.json }
          return .object(
            [("cell_index", .number(Double(c.index))), ("cell", .object(c.values.map { ($0.key, .string($0.value)) }))] + kv)
        }
      })
  }

  /// The per-cell table and the sensitivity table as aligned text, for the terminal.
  public var table: String {
    var cellLines: [[String]] = []
    for c in cells {
      for r in c.rows {
        cellLines.append(
          ["\(c.index)"] + c.values.map(\.value) + [r.problem, r.method, "\(r.n)", "\(r.diverged)"]
            + [r.mean, r.median, r.max, r.std].map { reportNumber($0) } + r.correlationCells)
      }
    }
    let cellTable = alignedTable(
      ["cell"] + keys + ["problem", "method", "n", "div", "mean", "median", "max", "std", "pearson", "spearman", "kendall"],
      cellLines,
      left: keys.count + 3)
    let sensitivityLines = sensitivity.map { s in
      [
        s.key, s.stratum, s.marginals.map { "\($0.value): \(reportNumber($0.mean))" }.joined(separator: "  "),
        reportNumber(s.range), reportNumber(s.pooledStd), "\(s.trials)",
      ]
    }
    return cellTable + "\n"
      + alignedTable(
        ["key", "stratum", "marginal mean PSNR per value", "max-min", "pooled std", "trials"], sensitivityLines, left: 3)
  }
}

extension String {
  var nonEmpty: String? { isEmpty ? nil : self }
}
