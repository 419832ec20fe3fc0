import Foundation

extension ResultsStore {
  /// Where `writeReport` puts the Markdown report (its SVG figures go beside it).
  public var reportURL: URL { directory.appendingPathComponent("report.md") }
}

/// Writes `report.md` and its SVG figures into the study directory, recomputed from
/// `results.jsonl` alone, so a report is the same however and wherever the trials ran.
public func writeReport(_ store: ResultsStore) throws(StudyError) {
  let records: [JSON]
  do { records = try store.readRecords().records } catch { throw StudyError(error) }
  try writeReport(store, records: records)
}

/// `writeReport` for records already read (`summarise` has them at hand): the sweep report
/// for a sweep's records, the study report otherwise.
func writeReport(_ store: ResultsStore, records: [JSON]) throws(StudyError) {
  let figures: [(String, String)]
  let markdown: String
  if SweepAnalysis.isSweep(records) {
    let sweep = SweepAnalysis(records: records)
    (figures, markdown) = (sweep.figures, sweep.markdown)
  } else {
    let report = Report(records: records)
    (figures, markdown) = (report.figures, report.markdown)
  }
  do throws(StoreError) {
    for (name, text) in figures { try store.writeAtomically(name, text) }
    // The Markdown last: once it names a figure, the figure is already in place.
    try store.writeAtomically("report.md", markdown)
  } catch {
    throw StudyError(error)
  }
}

/// Everything the report shows, computed once from the records.
struct Report {
  let outcomes: [TrialOutcome]
  let rows: [RowSummary]
  let problems: [String]
  let methods: [String]
  let ops: [String]
  /// `trials[problem][method]`, each row in trial order.
  let trials: [String: [String: [TrialOutcome]]]
  /// `correlations[problem][method]` for the DARTS rows.
  let correlations: [String: [String: CorrelationSummary]]

  init(records: [JSON]) {
    // Trial order, not file order (which depends on which trial finished first): the
    // bootstrap draws by position, so this keeps the report identical across runs.
    outcomes = records.compactMap(TrialOutcome.init)
      .sorted { ($0.problem, $0.method, $0.trial) < ($1.problem, $1.method, $1.trial) }
    rows = RowSummary.rows(records)
    problems = StudyOrder.problems(outcomes.map(\.problem))
    methods = StudyOrder.methods(outcomes.map(\.method))
    ops = StudyOrder.ops(outcomes.flatMap { $0.architecture ?? [] })
    var trials: [String: [String: [TrialOutcome]]] = [:]
    for o in outcomes { trials[o.problem, default: [:]][o.method, default: []].append(o) }
    self.trials = trials
    var correlations: [String: [String: CorrelationSummary]] = [:]
    for (p, byMethod) in trials {
      for (m, list) in byMethod where list.first?.isDARTS == true {
        correlations[p, default: [:]][m] = CorrelationSummary(points: list.compactMap(\.scatterPoint), method: m, problem: p)
      }
    }
    self.correlations = correlations
  }

  /// The methods whose architectures are chosen rather than fixed (the op-frequency rows).
  static let choosingMethods = ["darts-good", "darts-all", "random"]

  /// The rows of one problem as (method, trials), in plan order; `keep` selects methods.
  func rows(of problem: String, where keep: (String) -> Bool = { _ in true }) -> [(method: String, outcomes: [TrialOutcome])] {
    methods.filter(keep).compactMap { m in trials[problem]?[m].map { (m, $0) } }
  }

  /// File names of a problem's figures (the name made safe for a path).
  static func figureName(_ kind: String, _ problem: String) -> String {
    "\(kind)-\(String(problem.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" })).svg"
  }

  /// The SVG files, by name.
  var figures: [(String, String)] {
    problems.flatMap { p -> [(String, String)] in
      let darts = rows(of: p) { Method(rawValue: $0)?.isDARTS ?? false }
      let chosen = rows(of: p) { Report.choosingMethods.contains($0) }
      return [
        (Report.figureName("figure2", p), figure2SVG(problem: p, rows: darts, correlations: correlations[p] ?? [:])),
        (Report.figureName("spread", p), spreadSVG(problem: p, rows: rows(of: p))),
        (
          Report.figureName("ops", p),
          opHeatmapSVG(problem: p, panels: chosen.map { ($0.method, OpFrequency($0.outcomes, ops: ops)) })
        ),
      ]
    }
  }

  /// The whole `report.md`.
  var markdown: String {
    var out = "# oneshot study report\n\n"
    out += "Recomputed from `results.jsonl` (\(outcomes.count) trial records) by oneshot \(oneshotVersion). "
    out += "Architecture PSNR is measured on the test split after retraining (SPEC §6). Diverged trials are "
    out += "counted in every table and excluded from every PSNR statistic.\n\n"
    guard !outcomes.isEmpty else { return out + "No trials have finished yet.\n" }
    let sections = [findingsSection, table1Section, figure2Section, correlationSection, spreadSection, opsSection, mixedSection]
    // One blank line between sections, however each one ends.
    return out + sections.map { $0.trimmingCharacters(in: .newlines) + "\n" }.joined(separator: "\n")
  }
}

/// A PSNR or statistic in two decimals; "—" when undefined, "inf" for a perfect fit.
func reportNumber(_ x: Double?) -> String {
  guard let x else { return "—" }
  return x.isFinite ? String(format: "%.2f", x) : (x > 0 ? "inf" : "-inf")
}

/// A Markdown table.
func markdownTable(_ header: [String], _ rows: [[String]]) -> String {
  let line = { (cells: [String]) in "| " + cells.joined(separator: " | ") + " |\n" }
  return line(header) + line(header.map { _ in "---" }) + rows.map(line).joined()
}
