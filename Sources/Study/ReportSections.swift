import Foundation

/// The sections of `report.md` after the findings, in reading order.
extension Report {
  var table1Section: String {
    var body: [[String]] = []
    for r in rows {
      let poster = Poster.table1(method: r.method, problem: r.problem).map {
        String(format: "%.2f / %.2f / %.2f", $0.max, $0.mean, $0.median)
      }
      body.append(
        [r.problem, r.method, "\(r.n)", "\(r.diverged)"] + [r.max, r.mean, r.median, r.std, r.min].map(reportNumber)
          + [poster ?? "—"])
    }
    return "## Table 1: architecture PSNR per method and problem\n\n"
      + "PSNR in dB over the trials that did not diverge. The poster's column is its architecture validation "
      + "PSNR over 100 trials (SPEC §9); its data and sizes differ from ours, so compare the pattern, not the digits.\n\n"
      + markdownTable(
        ["problem", "method", "n", "diverged", "max", "mean", "median", "std", "min", "poster max / mean / median"], body)
  }

  var figure2Section: String {
    var out = "## Figure 2: one-shot validation PSNR against architecture PSNR\n\n"
    out += "One mark per DARTS trial: x is the supernet's PSNR on the validation split at the end of the search, "
    out += "y the PSNR of the retrained argmax architecture. If the one-shot score predicted the architecture, "
    out += "the marks would climb from left to right.\n\n"
    for p in problems where !rows(of: p, where: { Method(rawValue: $0)?.isDARTS ?? false }).isEmpty {
      out += "![Figure 2, \(p)](\(Report.figureName("figure2", p)))\n\n"
    }
    return out
  }

  var correlationSection: String {
    var body: [[String]] = []
    for p in problems {
      for m in methods {
        guard let c = correlations[p]?[m] else { continue }
        body.append([p, m, "\(c.pairs)", c.pearson.text, c.spearman.text, c.kendall.text])
      }
    }
    return "## Correlation of one-shot and architecture PSNR\n\n"
      + "Per DARTS row, over the trials with both scores. Brackets: 95% percentile-bootstrap interval "
      + "(\(CorrelationSummary.resamples) resamples of trials, seeded by the row's names, so the report is reproducible).\n\n"
      + markdownTable(["problem", "method", "pairs", "Pearson r [95% CI]", "Spearman ρ [95% CI]", "Kendall τ-b [95% CI]"], body)
  }

  var spreadSection: String {
    "## Spread of every row\n\nA box (quartiles, median, whiskers to min and max) behind one mark per trial.\n\n"
      + problems.map { "![Spread, \($0)](\(Report.figureName("spread", $0)))\n\n" }.joined()
  }

  var opsSection: String {
    var body: [[String]] = []
    for p in problems {
      for (m, list) in rows(of: p, where: { Report.choosingMethods.contains($0) }) {
        let archs = list.compactMap(\.architecture)
        let harmful = archs.filter(hasHarmfulOp).count
        let share = archs.isEmpty ? "—" : String(format: "%.1f%%", 100 * Double(harmful) / Double(archs.count))
        body.append([p, m + (m == "random" ? " (reference)" : ""), "\(list.count)", "\(archs.count)", "\(harmful)", share])
      }
    }
    return "## Chosen operations\n\n"
      + "How often each op was chosen in each layer (a search that diverged chose none), and the share of "
      + "architectures with a harmful op (`roll` or `noise`). Random draws are the reference: "
      + "uniform draws hold a harmful op in 1 − 0.5ᴺ of the architectures.\n\n"
      + problems.map { "![Chosen ops, \($0)](\(Report.figureName("ops", $0)))\n\n" }.joined()
      + markdownTable(["problem", "method", "trials", "architectures", "picked roll or noise", "share"], body)
  }

  var mixedSection: String {
    var body: [[String]] = []
    for p in problems {
      let byKind = ArchitectureKind.psnrs(outcomes.filter { $0.problem == p })
      for kind in ArchitectureKind.allCases {
        let x = byKind[kind] ?? []
        body.append([
          p, kind.rawValue, "\(x.count)", reportNumber(x.max()), reportNumber(Statistics.mean(x)),
          reportNumber(Statistics.median(x)),
        ])
      }
    }
    return "## Mixed versus plain architectures\n\n"
      + "Every retrained architecture that did not diverge, whichever method found it, grouped by what it "
      + "chains: the poster found that mixing `grad` and `net` layers beats the best plain chain.\n\n"
      + markdownTable(["problem", "architecture", "n", "best", "mean", "median"], body)
  }
}
