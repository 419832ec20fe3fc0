import Foundation
import XCTest

@testable import Study

/// Issue 7: grids, their plan, the sensitivity analysis, and sweeps driven through the binary.
final class SweepTests: XCTestCase {
  private func grid(_ axes: [(String, [String])]) throws -> Sweep {
    try Sweep(base: .quick, grid: axes.map { GridAxis(key: $0.0, values: $0.1) })
  }

  func testGridExpansionRunsEveryCombinationOnceWithTheFirstKeyOfTheTableSlowest() throws {
    let sweep = try grid([
      ("alpha-lr", ["1e-3", "3e-3", "1e-2"]), ("methods", ["darts-all", "darts-good+random"]), ("layers", ["3", "5"]),
    ])
    XCTAssertEqual(sweep.axes.map(\.key), ["methods", "layers", "alpha-lr"], "keys in ConfigKey.all order")
    XCTAssertEqual(sweep.cells.count, 12)
    XCTAssertEqual(Set(sweep.cells.map(\.label)).count, 12)
    XCTAssertEqual(sweep.cells[0].label, "methods=darts-all, layers=3, alpha-lr=0.001")
    XCTAssertEqual(sweep.cells[1].label, "methods=darts-all, layers=3, alpha-lr=0.003")
    XCTAssertEqual(sweep.cells[3].label, "methods=darts-all, layers=5, alpha-lr=0.001")
    XCTAssertEqual(sweep.cells[11].label, "methods=darts-good+random, layers=5, alpha-lr=0.01")
    XCTAssertEqual(sweep.cells[11].config.methods, [.dartsGood, .random])
    XCTAssertEqual(sweep.cells[11].config.search.layers, 5)
    XCTAssertEqual(sweep.cells[11].config.search.alphaLR, 1e-2)
    let plan = sweep.plan
    XCTAssertEqual(plan.map(\.index), Array(0..<plan.count), "one global index over every cell")
    let t = sweep.base.trials
    XCTAssertEqual(plan.count, 6 * (1 * 2 * t) + 6 * (2 * 2 * t))
  }

  func testTheOrderOfTheGridFlagsChangesNeitherCellsNorSeeds() throws {
    let one = try grid([("alpha-lr", ["1e-3", "3e-2"]), ("weight-lr", ["1e-3", "3e-3"]), ("seed", ["0", "7"])])
    let other = try grid([("seed", ["0", "7"]), ("weight-lr", ["1e-3", "3e-3"]), ("alpha-lr", ["1e-3", "3e-2"])])
    XCTAssertEqual(one.cells.map(\.label), other.cells.map(\.label))
    XCTAssertEqual(one.plan, other.plan)
    XCTAssertEqual(one.hash, other.hash)
  }

  func testACellsTrialsHaveTheSeedsOfThePlainStudyWithItsSettings() throws {
    let sweep = try grid([("alpha-lr", ["1e-3", "3e-2"]), ("seed", ["0", "7"])])
    for cell in sweep.cells {
      let inCell = sweep.plan.filter { $0.cell == cell.index }
      XCTAssertEqual(inCell.map(\.seed), cell.config.plan.map(\.seed), cell.label)
      XCTAssertEqual(inCell.map(\.index), cell.config.plan.map { $0.index + cell.firstIndex })
    }
    // Cells 0 and 1 differ in alpha-lr only (seed varies slowest); cell 2 has another seed.
    let seeds = { (c: Int) in sweep.plan.filter { $0.cell == c }.map(\.seed) }
    XCTAssertEqual(seeds(0), seeds(1), "alpha-lr does not move the seeds")
    XCTAssertNotEqual(seeds(0), seeds(2), "the study seed does")
  }

  func testTheSensitivityPresetSweepsBothLearningRatesForDartsAllOnBothProblems() throws {
    let preset = Sweep.sensitivity
    let sweep = try Sweep(base: preset.base, grid: preset.grid)
    XCTAssertEqual(
      sweep.axes,
      [
        GridAxis(key: "weight-lr", values: ["0.0003", "0.001", "0.003"]),
        GridAxis(key: "alpha-lr", values: ["0.001", "0.003", "0.01", "0.03"]),
      ])
    XCTAssertEqual(sweep.cells.count, 12)
    for cell in sweep.cells {
      XCTAssertEqual(cell.config.methods, [.dartsAll])
      XCTAssertEqual(cell.config.problems, [.blur, .downsample])
      XCTAssertEqual(cell.config.trials, 20)
    }
    XCTAssertTrue(
      sweep.cells.contains { $0.config.search.alphaLR == 3e-3 && $0.config.search.weightLR == 1e-3 },
      "the SPEC defaults are a cell")
  }

  func testTheSensitivityTableHasTheMarginalMeansRangesAndPooledSpreadOfHandMadeRecords() throws {
    let analysis = SweepAnalysis(records: handMadeSweep)
    XCTAssertEqual(analysis.keys, ["batch-size", "alpha-lr"])
    XCTAssertEqual(analysis.values["batch-size"], ["8", "16", "32"])
    let table = analysis.sensitivity
    XCTAssertEqual(
      table.map { "\($0.key) \($0.stratum)" },
      [
        "batch-size blur darts-all", "batch-size downsample darts-all", "alpha-lr blur darts-all",
        "alpha-lr downsample darts-all",
      ])
    func check(_ s: Sensitivity, _ expected: [Double], _ range: Double) {
      XCTAssertEqual(s.marginals.count, expected.count)
      for (m, e) in zip(s.marginals, expected) { XCTAssertEqual(m.mean!, e, accuracy: 1e-12, "\(s.key) \(m.value)") }
      XCTAssertEqual(s.range!, range, accuracy: 1e-12)
      XCTAssertEqual(s.pooledStd!, 0.5.squareRoot(), accuracy: 1e-12, "every cell is m ± 0.5")
      XCTAssertEqual(s.trials, 12, "the diverged trial is left out")
    }
    check(table[0], [11, 12, 14], 3)
    check(table[1], [6, 7, 9], 3)
    check(table[2], [10 + 4.0 / 3, 12 + 4.0 / 3], 2)
    check(table[3], [5 + 4.0 / 3, 7 + 4.0 / 3], 2)
    let blurCell0 = analysis.cells[0].rows.first { $0.problem == "blur" }!
    XCTAssertEqual([blurCell0.n, blurCell0.diverged], [3, 1])
  }

  func testASweepReportHasTheSensitivityTableAHeatmapPerPairOfKeysAndALinePlotPerKey() throws {
    let dir = temporaryDirectory()
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let store = ResultsStore(dir)
    try (handMadeSweep.map(\.serialized).joined(separator: "\n") + "\n").write(
      to: store.resultsURL, atomically: true, encoding: .utf8)
    let summary = try summarise(store)
    XCTAssertTrue(summary.table.contains("batch-size  blur darts-all"), summary.table)
    let report = try String(contentsOf: store.reportURL, encoding: .utf8)
    XCTAssertEqual(
      report.split(separator: "\n").filter { $0.hasPrefix("#") },
      [
        "# oneshot sweep report", "## Grid", "## Sensitivity", "## Marginal means per key", "## Heatmaps for pairs of keys",
        "## Cells",
      ])
    XCTAssertTrue(report.contains("| batch-size | blur darts-all | 8: 11.00; 16: 12.00; 32: 14.00 | 3.00 | 0.71 | 12 |"), report)
    // Two strata (blur and downsample darts-all): a line mark per stratum and value, and a
    // heatmap panel per stratum with a cell per pair of values.
    for (figure, marks, cells) in [
      ("sweep-line-batch-size.svg", 2 * 3, 0), ("sweep-line-alpha-lr.svg", 2 * 2, 0),
      ("sweep-heatmap-batch-size-alpha-lr.svg", 0, 2 * 3 * 2),
    ] {
      XCTAssertTrue(report.contains("(\(figure))"), figure)
      let counted = try svgElements(dir.appendingPathComponent(figure))
      XCTAssertEqual([counted.marks, counted.cells], [marks, cells], figure)
    }
    let json = try JSON.parse(String(contentsOf: store.summaryURL, encoding: .utf8))
    XCTAssertEqual(json.array?.count, 12, "one row per cell, problem and method")
    XCTAssertEqual(json.array?.first?["cell"]?["batch-size"], .string("8"))
  }

  func testAOneCellSweepEqualsTheStudyWithItsSettingsRecordForRecord() throws {
    let study = temporaryDirectory("study"), sweep = temporaryDirectory("sweep")
    let s = try Oneshot.run(["study"] + tinyStudy + ["--alpha-lr", "0.01", "--out", study.path])
    XCTAssertEqual(s.status, 0, s.stderr)
    let w = try Oneshot.run(["sweep"] + tinyStudy + ["--grid", "alpha-lr=1e-2", "--out", sweep.path])
    XCTAssertEqual(w.status, 0, w.stderr)
    let records = try ResultsStore(sweep).readRecords().records
    XCTAssertEqual(records.first?["cell"], .object([("alpha-lr", .number(0.01))]))
    XCTAssertEqual(recordsByIndex(sweep, ignoring: ["seconds", "cell", "cell_index"]), recordsByIndex(study))
  }

  func testASweepsOwnConfigFileRunsTheSameSweepAgain() throws {
    let first = temporaryDirectory("first"), again = temporaryDirectory("again")
    XCTAssertEqual(try Oneshot.run(["sweep"] + smallSweep + ["--out", first.path]).status, 0)
    let r = try Oneshot.run([
      "sweep", "--config", first.appendingPathComponent("config.json").path, "--quiet", "--out", again.path,
    ])
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertEqual(recordsByIndex(again), recordsByIndex(first))
  }

  func testAKilledSweepResumesToTheSameRecordsAsAnUninterruptedRun() throws {
    let reference = temporaryDirectory("reference"), dir = temporaryDirectory("killed")
    XCTAssertEqual(try Oneshot.run(["sweep"] + smallSweep + ["--out", reference.path]).status, 0)
    let expected = recordsByIndex(reference)
    XCTAssertEqual(expected.count, 16)
    let results = ResultsStore(dir).resultsURL.path
    for (i, resume) in [false, true].enumerated() {
      let (p, _, _) = try Oneshot.start(
        ["sweep"] + smallSweep + ["--out", dir.path, "--jobs", "1"] + (resume ? ["--resume"] : []))
      // Kill once a few more trials are on disk: a kill that lands after the end tests nothing.
      while p.isRunning && lines(results) < 3 * (i + 1) { Thread.sleep(forTimeInterval: 0.002) }
      kill(p.processIdentifier, SIGKILL)
      p.waitUntilExit()
    }
    XCTAssertLessThan(lines(results), 16, "the kills landed mid-sweep")
    let h = try XCTUnwrap(FileHandle(forWritingAtPath: results))
    h.seekToEndOfFile()
    h.write(Data("{\"method\":\"darts-all\",\"cell".utf8))
    h.closeFile()
    let r = try Oneshot.run(["sweep"] + smallSweep + ["--out", dir.path, "--resume"])
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertEqual(recordsByIndex(dir), expected)
  }

  func testResumingASweepWithAnotherGridIsRefusedNamingTheGrid() throws {
    let dir = temporaryDirectory()
    XCTAssertEqual(try Oneshot.run(["sweep"] + smallSweep + ["--out", dir.path]).status, 0)
    let r = try Oneshot.run(["sweep"] + smallSweep + ["--grid", "order=first,second", "--out", dir.path, "--resume"])
    XCTAssertEqual(r.status, 73)
    XCTAssertTrue(r.stderr.hasSuffix("different settings: grid\n"), r.stderr)
  }

  func testTwoSweepShardsMergedEqualOneUnshardedSweep() throws {
    let whole = temporaryDirectory("whole"), s0 = temporaryDirectory("s0"), s1 = temporaryDirectory("s1")
    let merged = temporaryDirectory("merged")
    XCTAssertEqual(try Oneshot.run(["sweep"] + smallSweep + ["--out", whole.path]).status, 0)
    XCTAssertEqual(try Oneshot.run(["sweep"] + smallSweep + ["--out", s0.path, "--shard", "0/2"]).status, 0)
    XCTAssertEqual(try Oneshot.run(["sweep"] + smallSweep + ["--out", s1.path, "--shard", "1/2"]).status, 0)
    XCTAssertEqual(recordsByIndex(s1).keys.sorted(), [1, 3, 5, 7, 9, 11, 13, 15], "shards split the global plan")
    let m = try Oneshot.run(["merge", s0.path, s1.path, "--out", merged.path])
    XCTAssertEqual(m.status, 0, m.stderr)
    XCTAssertEqual(recordsByIndex(merged), recordsByIndex(whole))
    let other = temporaryDirectory("other")
    XCTAssertEqual(
      try Oneshot.run(["sweep"] + smallSweep + ["--grid", "trials=1,2", "--out", other.path, "--shard", "1/2"]).status, 0)
    let mismatch = try Oneshot.run(["merge", s0.path, other.path, "--out", temporaryDirectory("mm").path])
    XCTAssertEqual(mismatch.status, 65)
    XCTAssertTrue(mismatch.stderr.contains("grid"), mismatch.stderr)
  }

  func testBadGridsGetOneLineAndExit64WithNothingWritten() throws {
    let dir = temporaryDirectory()
    let cases: [([String], String)] = [
      (["--grid", "learning-rate=1,2"], "unknown key 'learning-rate'"),
      (["--grid", "alpha-lr="], "empty value"),
      (["--grid", "alpha-lr=1e-3,,1e-2"], "empty value"),
      (["--grid", "alpha-lr"], "KEY=V1,V2"),
      (["--grid", "alpha-lr=fast"], "alpha-lr: expected a number"),
      (["--grid", "alpha-lr=-1e-3"], "alpha-lr: must be finite and not negative"),
      (["--grid", "methods=darts-all,darts-good+randm"], "randm"),
      (["--grid", "batch-size=8,100"], "cell batch-size=100"),
      (["--grid", "alpha-lr=1e-3,0.001"], "0.001 twice"),
      (["--grid", "alpha-lr=1e-3", "--grid", "alpha-lr=1e-2"], "alpha-lr is given twice"),
      (["--grid"], "--grid needs a value"),
      ([], "at least one --grid"),
      (["--grid", "trials=2", "--preset", "huge"], "huge"),
    ]
    for (args, needle) in cases {
      let r = try Oneshot.run(["sweep"] + tinyStudy + args + ["--out", dir.path])
      XCTAssertEqual(r.status, 64, "\(args): \(r.stderr)")
      XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "\(args): \(r.stderr)")
      XCTAssertTrue(r.stderr.contains(needle), "\(args): \(r.stderr)")
    }
    XCTAssertFalse(FileManager.default.fileExists(atPath: dir.path), "nothing may be written for a bad grid")
  }
}

/// `tinyStudy` cut to 2 methods on one problem, over 2 × 2 cells (16 trials), with epochs
/// enough that a trial lasts a few milliseconds and a kill can land between trials.
let smallSweep =
  tinyStudy + [
    "--methods", "darts-all,random", "--problems", "blur", "--search-epochs", "10", "--retrain-epochs", "30",
    "--grid", "alpha-lr=0.01,0.1", "--grid", "weight-lr=1e-3,1e-2",
  ]

/// Records of a sweep over batch-size 8/16/32 × alpha-lr 0.001/0.003 for darts-all on blur
/// and downsample. Each cell's two trials are its mean ± 0.5; the mean is
/// 10 + {0, 1, 3} (batch size) + {0, 2} (alpha-lr) on blur and 5 less on downsample. Cell 0
/// also has a diverged blur trial, which must count in n and nowhere else.
let handMadeSweep: [JSON] = {
  var out: [JSON] = []
  let batch = [(8.0, 0.0), (16, 1), (32, 3)], alpha = [(0.001, 0.0), (0.003, 2)]
  for (b, (batchSize, db)) in batch.enumerated() {
    for (a, (alphaLR, da)) in alpha.enumerated() {
      let cell = b * alpha.count + a
      for (problem, offset) in [("blur", 10.0), ("downsample", 5)] {
        var psnrs: [Double?] = [offset + db + da - 0.5, offset + db + da + 0.5]
        if cell == 0 && problem == "blur" { psnrs.append(nil) }
        for (t, psnr) in psnrs.enumerated() {
          out.append(
            .object([
              ("method", .string("darts-all")), ("problem", .string(problem)), ("trial", .number(Double(t))),
              ("index", .number(Double(out.count))), ("cell_index", .number(Double(cell))),
              ("cell", .object([("batch-size", .number(batchSize)), ("alpha-lr", .number(alphaLR))])),
              ("seed", .number(Double(t))), ("config_hash", .string("cell-\(cell)")),
              ("architecture", psnr == nil ? .null : .array([.string("grad"), .string("net")])), ("seconds", .number(1)),
              ("oneshot_val_psnr", .num(psnr.map { $0 - 1 })), ("architecture_psnr", .num(psnr)),
              ("diverged", .bool(psnr == nil)),
            ]))
        }
      }
    }
  }
  return out
}()
