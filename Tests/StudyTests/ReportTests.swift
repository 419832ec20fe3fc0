import XCTest

@testable import Study

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// `report.md` and its figures, written from hand-built records into a temporary directory.
final class ReportTests: XCTestCase {
  private var directory: URL!

  override func setUpWithError() throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("oneshot-report-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(at: directory)
  }

  /// Writes the fixture, runs `summarise` as `oneshot report` does, and returns the store.
  private func writeFixture() throws -> ResultsStore {
    let store = ResultsStore(directory)
    try (fixture.map(\.serialized).joined(separator: "\n") + "\n").write(to: store.resultsURL, atomically: true, encoding: .utf8)
    _ = try summarise(store)
    return store
  }

  private func text(_ name: String) throws -> String {
    try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
  }

  func testSummariseWritesTheReportAndOneFigureOfEachKindPerProblem() throws {
    let store = try writeFixture()
    XCTAssertTrue(FileManager.default.fileExists(atPath: store.reportURL.path))
    for kind in ["figure2", "spread", "ops"] {
      for problem in ["blur", "downsample"] {
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory.appendingPathComponent("\(kind)-\(problem).svg").path))
      }
    }
  }

  func testReportHasTheGoldenHeadingsInOrder() throws {
    _ = try writeFixture()
    let headings = try text("report.md").split(separator: "\n").filter { $0.hasPrefix("#") }
    XCTAssertEqual(
      headings,
      [
        "# oneshot study report", "## Findings", "## Table 1: architecture PSNR per method and problem",
        "## Figure 2: one-shot validation PSNR against architecture PSNR", "## Correlation of one-shot and architecture PSNR",
        "## Spread of every row", "## Chosen operations", "## Mixed versus plain architectures",
      ])
  }

  func testReportTablesHaveTheGoldenColumnNames() throws {
    _ = try writeFixture()
    let lines = try text("report.md").split(separator: "\n").map(String.init)
    let headers = lines.indices.dropLast().filter { lines[$0 + 1].hasPrefix("| ---") }.map { lines[$0] }
    XCTAssertEqual(
      headers,
      [
        "| poster finding | blur | downsample |",
        "| problem | method | n | diverged | max | mean | median | std | min | poster max / mean / median |",
        "| problem | method | pairs | Pearson r [95% CI] | Spearman ρ [95% CI] | Kendall τ-b [95% CI] |",
        "| problem | method | trials | architectures | picked roll or noise | share |",
        "| problem | architecture | n | best | mean | median |",
      ])
  }

  func testDivergedTrialsAreCountedAndExcludedFromThePSNRStatistics() throws {
    // darts-good on blur: PSNRs 20, 22, 21 and one diverged trial whose stray 99 must not count.
    let report = try text(
      {
        _ = try writeFixture(); return "report.md"
      }())
    XCTAssertTrue(report.contains("| blur | darts-good | 4 | 1 | 22.00 | 21.00 | 21.00 | 1.00 | 20.00 | 23.46 / 21.56 / 21.60 |"))
    let row = RowSummary.rows(fixture).first { $0.method == "random" && $0.problem == "blur" }!
    XCTAssertEqual(row.n, 3)
    XCTAssertEqual(row.diverged, 1)
    XCTAssertEqual(row.psnrs, [5, 19])
  }

  func testUndefinedCorrelationsAreWrittenAsWordsNeverNaN() throws {
    _ = try writeFixture()
    let report = try text("report.md")
    XCTAssertTrue(report.contains("| downsample | darts-good | 1 | n < 2 | n < 2 | n < 2 |"))
    XCTAssertTrue(
      report.contains(
        "| downsample | darts-all | 2 | undefined (constant input) | undefined (constant input) | undefined (constant input) |"))
    XCTAssertFalse(report.lowercased().contains("nan"))
  }

  func testHarmfulShareCountsOnlyArchitecturesThatWereChosen() throws {
    _ = try writeFixture()
    // darts-all on blur: three trials, one search diverged, one of the two architectures has `roll`.
    XCTAssertTrue(try text("report.md").contains("| blur | darts-all | 3 | 2 | 1 | 50.0% |"))
  }

  func testMixedArchitecturesAreComparedWithThePlainOnes() throws {
    _ = try writeFixture()
    let report = try text("report.md")
    XCTAssertTrue(report.contains("| blur | mixed grad + net | 4 | 22.00 | 20.50 | 20.50 |"))
    XCTAssertTrue(report.contains("holds: best mixed 22.00 vs best plain 20.00"))
  }

  func testReportIsIdenticalWhenWrittenTwice() throws {
    let store = try writeFixture()
    let first = try text("report.md")
    try writeReport(store)
    XCTAssertEqual(try text("report.md"), first)
  }

  func testReportDoesNotDependOnTheOrderInWhichTrialsFinished() throws {
    // Enough scattered trials that the bootstrap interval depends on which pair is where.
    let records = (0..<12).map { i in
      record("darts-good", "blur", i, arch: mixed, oneShot: Double(i), psnr: .number(Double((i * 7) % 12)))
    }
    let store = ResultsStore(directory)
    var reports: [String] = []
    for order in [records, records.reversed()] {
      try (order.map(\.serialized).joined(separator: "\n") + "\n").write(to: store.resultsURL, atomically: true, encoding: .utf8)
      try writeReport(store)
      reports.append(try text("report.md"))
    }
    XCTAssertEqual(reports[0], reports[1])
  }

  func testOnlyAPositiveCorrelationCountsAgainstThePredictionFinding() throws {
    // 20 trials whose one-shot score ranks the architectures exactly backwards, then forwards.
    let store = ResultsStore(directory)
    for (sign, expected) in [(-1.0, "holds:"), (1.0, "does not hold:")] {
      let records = (0..<20).map { i in
        record("darts-all", "blur", i, arch: mixed, oneShot: Double(i), psnr: .number(20 + sign * Double(i) / 10))
      }
      try (records.map(\.serialized).joined(separator: "\n") + "\n").write(
        to: store.resultsURL, atomically: true, encoding: .utf8)
      try writeReport(store)
      let line = try text("report.md").split(separator: "\n").first { $0.contains("hardly predicts") } ?? ""
      XCTAssertTrue(line.contains("| \(expected) τ-b \(sign < 0 ? "-1.000" : "1.000")"), String(line))
      XCTAssertEqual(line.contains("a higher one-shot score meant a worse architecture"), sign < 0, String(line))
    }
  }

  func testFigure2ParsesAsXMLWithOneMarkPerDARTSTrialWithBothScores() throws {
    _ = try writeFixture()
    XCTAssertEqual(try elements(in: "figure2-blur.svg").marks, 5)  // darts-good 3, darts-all 2
    XCTAssertEqual(try elements(in: "figure2-downsample.svg").marks, 3)
    // The correlation is written on the figure: darts-good on blur has one-shot 10, 11, 12 against
    // 20, 22, 21 (its diverged trial left out): Pearson 0.5, Spearman 0.5, τ-b 1/3.
    let figure = try text("figure2-blur.svg")
    XCTAssertTrue(figure.contains("darts-good (n = 3): Pearson 0.50, Spearman 0.50, Kendall τ-b 0.33"), figure)
    XCTAssertTrue(try text("figure2-downsample.svg").contains("darts-good (n = 1): correlation n &lt; 2"))
  }

  func testSpreadPlotParsesAsXMLWithOneMarkPerTrialThatDidNotDiverge() throws {
    _ = try writeFixture()
    XCTAssertEqual(try elements(in: "spread-blur.svg").marks, 11)
    XCTAssertEqual(try elements(in: "spread-downsample.svg").marks, 3)
  }

  func testOpHeatmapParsesAsXMLWithOneCellPerOpLayerAndMethod() throws {
    _ = try writeFixture()
    XCTAssertEqual(try elements(in: "ops-blur.svg").cells, 3 * 4 * 3)  // methods × ops × layers
    XCTAssertEqual(try elements(in: "ops-downsample.svg").cells, 2 * 4 * 3)
  }

  private func elements(in name: String) throws -> (marks: Int, cells: Int) {
    try svgElements(directory.appendingPathComponent(name))
  }
}

/// Parses an SVG (failing the test unless it is well-formed XML) and counts its data marks and
/// heatmap cells.
func svgElements(_ url: URL, file: StaticString = #filePath, line: UInt = #line) throws -> (marks: Int, cells: Int) {
  let parser = XMLParser(data: try Data(contentsOf: url))
  let counter = ClassCounter()
  parser.delegate = counter
  XCTAssertTrue(
    parser.parse(), "\(url.lastPathComponent) is not well-formed XML: \(String(describing: parser.parserError))",
    file: file, line: line)
  return (counter.counts["mark"] ?? 0, counter.counts["cell"] ?? 0)
}

private final class ClassCounter: NSObject, XMLParserDelegate {
  var counts: [String: Int] = [:]
  func parser(
    _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
    attributes attributeDict: [String: String] = [:]
  ) {
    if let c = attributeDict["class"] { counts[c, default: 0] += 1 }
  }
}

/// One record as `results.jsonl` holds it.
private func record(
  _ method: String, _ problem: String, _ trial: Int, arch: [String]?, oneShot: Double?, psnr: JSON, diverged: Bool = false
) -> JSON {
  .object([
    ("method", .string(method)), ("problem", .string(problem)), ("trial", .number(Double(trial))),
    ("index", .number(Double(uniqueIndex(method, problem, trial)))), ("seed", .number(0)), ("config_hash", .string("test")),
    ("architecture", arch.map { .array($0.map(JSON.string)) } ?? .null), ("alpha", .null), ("alpha_history", .null),
    ("oneshot_val_psnr", .num(oneShot)), ("architecture_psnr", psnr), ("diverged", .bool(diverged)),
    ("divergence", diverged ? .string("non-finite loss") : .null), ("seconds", .number(1)),
  ])
}

/// A plan index of its own for every (method, problem, trial): a study records each index once.
private func uniqueIndex(_ method: String, _ problem: String, _ trial: Int) -> Int {
  let methods = ["darts-good", "darts-all", "random", "grad-only", "nets-only"]
  return (problem == "blur" ? 0 : 100_000) + 1000 * (methods.firstIndex(of: method) ?? 9) + trial
}

private let mixed = ["grad", "net", "grad"]

/// Every method on blur, with diverged trials of each kind; a degenerate downsample half whose
/// correlations are undefined (one trial; a constant architecture PSNR).
private let fixture: [JSON] = [
  record("darts-good", "blur", 0, arch: mixed, oneShot: 10, psnr: .number(20)),
  record("darts-good", "blur", 1, arch: mixed, oneShot: 11, psnr: .number(22)),
  record("darts-good", "blur", 2, arch: mixed, oneShot: 12, psnr: .number(21)),
  record("darts-good", "blur", 3, arch: mixed, oneShot: 13, psnr: .number(99), diverged: true),
  record("darts-all", "blur", 0, arch: ["roll", "net", "grad"], oneShot: 9, psnr: .number(15)),
  record("darts-all", "blur", 1, arch: ["grad", "grad", "grad"], oneShot: 10, psnr: .number(18)),
  record("darts-all", "blur", 2, arch: nil, oneShot: nil, psnr: .null, diverged: true),
  record("random", "blur", 0, arch: ["noise", "net", "net"], oneShot: nil, psnr: .number(5)),
  record("random", "blur", 1, arch: ["net", "grad", "net"], oneShot: nil, psnr: .number(19)),
  record("random", "blur", 2, arch: ["roll", "roll", "roll"], oneShot: nil, psnr: .string("nan"), diverged: true),
  record("grad-only", "blur", 0, arch: ["grad", "grad", "grad"], oneShot: nil, psnr: .number(17)),
  record("grad-only", "blur", 1, arch: ["grad", "grad", "grad"], oneShot: nil, psnr: .number(17.5)),
  record("nets-only", "blur", 0, arch: ["net", "net", "net"], oneShot: nil, psnr: .number(19)),
  record("nets-only", "blur", 1, arch: ["net", "net", "net"], oneShot: nil, psnr: .number(20)),
  record("darts-good", "downsample", 0, arch: ["grad", "net", "net"], oneShot: 5, psnr: .number(10)),
  record("darts-all", "downsample", 0, arch: ["grad", "net", "net"], oneShot: 5, psnr: .number(12)),
  record("darts-all", "downsample", 1, arch: ["grad", "net", "net"], oneShot: 6, psnr: .number(12)),
]
