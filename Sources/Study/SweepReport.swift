import Foundation

/// The report of a sweep directory: `report.md` with the grid, the sensitivity table, the
/// marginal-mean figures and every cell's statistics, recomputed from `results.jsonl` alone.
extension SweepAnalysis {
  /// Every pair of swept keys, in grid order (the heatmaps).
  var keyPairs: [(String, String)] {
    keys.indices.flatMap { i in keys[(i + 1)...].map { (keys[i], $0) } }
  }

  /// The SVG files, by name: a line plot per swept key and a heatmap per pair of keys.
  var figures: [(String, String)] {
    keys.map { (Report.figureName("sweep-line", $0), sweepLineSVG(self, key: $0)) }
      + keyPairs.map { (Report.figureName("sweep-heatmap", "\($0.0)-\($0.1)"), sweepHeatmapSVG(self, $0.0, $0.1)) }
  }

  /// The whole `report.md` of a sweep.
  var markdown: String {
    let trials = cells.reduce(0) { $0 + $1.rows.reduce(0) { $0 + $1.n } }
    var out = "# oneshot sweep report\n\n"
    out += "Recomputed from `results.jsonl` (\(trials) trial records in \(cells.count) cells) by oneshot \(oneshotVersion). "
    out += "Each cell is a full study with the swept values set, its trials seeded as in the plain study with those "
    out += "settings. Architecture PSNR is measured on the test split after retraining (SPEC §6); diverged trials are "
    out += "counted and excluded from every PSNR statistic.\n\n"
    guard !cells.isEmpty else { return out + "No trials have finished yet.\n" }
    var sections = [gridSection, sensitivitySection, linesSection]
    if !keyPairs.isEmpty { sections.append(heatmapSection) }
    sections.append(cellsSection)
    return out + sections.map { $0.trimmingCharacters(in: .newlines) + "\n" }.joined(separator: "\n")
  }

  var gridSection: String {
    "## Grid\n\nThe swept keys in the order the cells vary them (the first slowest).\n\n"
      + markdownTable(["key", "values"], keys.map { [$0, (values[$0] ?? []).joined(separator: ", ")] })
  }

  var sensitivitySection: String {
    let body = sensitivity.map { s in
      [
        s.key, s.stratum, s.marginals.map { "\($0.value): \(reportNumber($0.mean))" }.joined(separator: "; "),
        reportNumber(s.range), reportNumber(s.pooledStd), "\(s.trials)",
      ]
    }
    return "## Sensitivity\n\n"
      + "For each swept key, within each problem and method (unless the key sweeps those): the marginal mean "
      + "architecture PSNR at each value — the mean of the cell means with that value, every other key averaged "
      + "over with equal weight — and how far it moves (max − min). Beside it, the pooled standard deviation of "
      + "single trials around their cell's mean: the mean of n trials still wanders by about std/√n, so a range "
      + "of that size is noise, not sensitivity.\n\n"
      + markdownTable(["key", "stratum", "marginal mean PSNR per value", "max − min", "pooled std", "trials"], body)
  }

  var linesSection: String {
    "## Marginal means per key\n\nThe line is the marginal mean; the small marks behind it are the cell means it averages.\n\n"
      + keys.map { "![Marginal means over \($0)](\(Report.figureName("sweep-line", $0)))\n\n" }.joined()
  }

  var heatmapSection: String {
    "## Heatmaps for pairs of keys\n\nThe mean architecture PSNR at each pair of values, every other swept key averaged over; "
      + "the shade runs from each panel's lowest mean (light) to its highest (dark).\n\n"
      + keyPairs.map { "![\($0.0) × \($0.1)](\(Report.figureName("sweep-heatmap", "\($0.0)-\($0.1)")))\n\n" }.joined()
  }

  var cellsSection: String {
    var body: [[String]] = []
    for c in cells {
      for r in c.rows {
        // The same seeded bootstrap intervals as the study report, one stream per cell and row.
        let correlations: [String]
        if r.isDARTS {
          let summary = CorrelationSummary(
            points: r.pairs.map { (x: $0.0, y: $0.1) }, method: r.method, problem: "\(r.problem)/cell \(c.index)")
          correlations = [summary.pearson, summary.spearman, summary.kendall].map(\.text)
        } else {
          correlations = ["", "", ""]
        }
        body.append(
          ["\(c.index)"] + c.values.map(\.value) + [r.problem, r.method, "\(r.n)", "\(r.diverged)"]
            + [r.mean, r.median, r.max, r.std].map { reportNumber($0) } + correlations)
      }
    }
    return "## Cells\n\nEvery cell's rows: architecture PSNR in dB and, for DARTS rows, the correlation between "
      + "the one-shot validation PSNR and the architecture PSNR, with its 95% percentile-bootstrap interval.\n\n"
      + markdownTable(
        ["cell"] + keys + [
          "problem", "method", "n", "diverged", "mean", "median", "max", "std", "Pearson r", "Spearman ρ", "Kendall τ-b",
        ],
        body)
  }
}
