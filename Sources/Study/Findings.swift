/// The poster's findings (SPEC §9), each checked against this study per problem, so the
/// report opens with the answer rather than the numbers.
extension Report {
  var findingsSection: String {
    let findings: [(String, (String) -> String)] = [
      ("DARTS works at its best: its best architecture beats the best plain chain (grad-only, nets-only)", bestOfDARTS),
      ("With only good ops DARTS is stable: a smaller spread and no more divergence than with all ops", stableWithGoodOps),
      ("With harmful ops the mean of DARTS falls below the best of the random architectures", harmfulMeanBelowRandom),
      ("Architectures mixing grad and net beat the best plain ones", mixedBeatsPlain),
      (
        "The one-shot score hardly predicts the architecture PSNR (Kendall τ-b of every DARTS row below +0.3; "
          + "refuted only where τ-b ≥ 0.3 and its 95% interval lies above 0; a clearly negative τ-b means it misleads)",
        hardlyPredicts
      ),
    ]
    let fewest = rows.map(\.n).min() ?? 0
    let caveat = fewest < 10 ? " Some rows have only \(fewest) trials: read these verdicts as anecdotes." : ""
    return "## Findings\n\nThe poster's findings, checked against these results (numbers are PSNR in dB).\(caveat)\n\n"
      + markdownTable(["poster finding"] + problems, findings.map { f in [f.0] + problems.map(f.1) })
  }

  private func row(_ method: String, _ problem: String) -> RowSummary? {
    rows.first { $0.method == method && $0.problem == problem }
  }

  private func verdict(_ holds: Bool, _ evidence: String) -> String { (holds ? "holds: " : "does not hold: ") + evidence }

  private func bestOfDARTS(_ p: String) -> String {
    let darts = rows.filter { $0.problem == p && $0.isDARTS }.compactMap { r in r.max.map { (r.method, $0) } }
    let plain = ["grad-only", "nets-only"].compactMap { m in row(m, p)?.max.map { (m, $0) } }
    guard let d = darts.max(by: { $0.1 < $1.1 }), let b = plain.max(by: { $0.1 < $1.1 }) else {
      return "n/a (needs a DARTS row and a plain row)"
    }
    return verdict(d.1 > b.1, "max \(reportNumber(d.1)) (\(d.0)) vs \(reportNumber(b.1)) (\(b.0))")
  }

  private func stableWithGoodOps(_ p: String) -> String {
    guard let good = row("darts-good", p), let all = row("darts-all", p), let sg = good.std, let sa = all.std else {
      return "n/a (needs darts-good and darts-all with two trials each)"
    }
    return verdict(
      sg < sa && good.diverged <= all.diverged,
      "std \(reportNumber(sg)), \(good.diverged) diverged vs \(reportNumber(sa)), \(all.diverged) diverged")
  }

  private func harmfulMeanBelowRandom(_ p: String) -> String {
    guard let mean = row("darts-all", p)?.mean, let best = row("random", p)?.max else {
      return "n/a (needs darts-all and random)"
    }
    return verdict(mean < best, "darts-all mean \(reportNumber(mean)) vs random max \(reportNumber(best))")
  }

  private func mixedBeatsPlain(_ p: String) -> String {
    let byKind = ArchitectureKind.psnrs(outcomes.filter { $0.problem == p })
    let plain = ArchitectureKind.allCases.filter(\.isPlain).compactMap { byKind[$0]?.max() }.max()
    guard let mixed = byKind[.mixed]?.max(), let plain else { return "n/a (needs mixed and plain architectures)" }
    return verdict(mixed > plain, "best mixed \(reportNumber(mixed)) vs best plain \(reportNumber(plain))")
  }

  private func hardlyPredicts(_ p: String) -> String {
    let taus = methods.compactMap { m in correlations[p]?[m].map { (m, $0.kendall) } }
    guard !taus.isEmpty else { return "n/a (no DARTS rows)" }
    guard taus.allSatisfy({ $0.1.value != nil }) else { return "n/a (a correlation is undefined)" }
    let evidence = taus.map { "τ-b \($0.1.text) (\($0.0))" }.joined(separator: ", ")
    // Predicting means ranking the better architectures higher: only a positive τ-b counts
    // against the finding, and a strong one from a handful of trials is not yet evidence.
    if taus.allSatisfy({ $0.1.value! < 0.3 }) {
      let misleads = taus.filter { _, t in t.value! <= -0.3 && t.interval.map { $0.upper < 0 } == true }.map(\.0)
      let note =
        misleads.isEmpty
        ? "" : "; negative in \(misleads.joined(separator: ", ")): a higher one-shot score meant a worse architecture"
      return verdict(true, evidence + note)
    }
    let refuted = taus.contains { _, t in t.value! >= 0.3 && t.interval.map { $0.lower > 0 } == true }
    return refuted ? verdict(false, evidence) : "inconclusive: " + evidence
  }
}
