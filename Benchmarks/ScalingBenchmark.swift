import Foundation
import Numerics
import Study

/// The same small study with `--jobs 1` and `--jobs` = cores, in process through `runStudy`
/// into temporary directories, alternating; the speedup is the ratio of trials per second.
func scalingBenchmark(quick: Bool) -> Section {
  let cores = ProcessInfo.processInfo.activeProcessorCount
  var config = StudyConfig.quick
  config.problems = [.blur]
  // Enough trials that the last one's tail is a small part of the wall time, and five
  // repetitions: on a shared machine single runs of a few seconds scatter by ±10 %.
  config.trials = quick ? 2 : 8
  if quick {
    config.search.searchEpochs = 2
    config.search.retrainEpochs = 4
  }
  let repeats = quick ? 1 : 5
  let trials = config.trials * config.methods.count * config.problems.count
  var section = Section(
    key: "scaling",
    title: "3. Scaling: one study with --jobs 1 and --jobs \(cores) (BLAS 1 thread per trial)",
    columns: ["jobs", "wall", "trials/s", "speedup", "CPU ÷ wall"])
  var walls: [Int: [Double]] = [:]
  var busy: [Int: [Double]] = [:]
  var failure: String?
  let jobCounts = cores > 1 ? [1, cores] : [1]
  for _ in 0..<repeats {
    for jobs in jobCounts where failure == nil {
      let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
        "oneshot-bench-\(UUID().uuidString)")
      defer { try? FileManager.default.removeItem(at: dir) }
      var options = RunOptions(output: dir)
      options.jobs = jobs
      options.progress = nil
      do {
        let cpu = cpuSeconds()
        let t = try seconds { _ = try runStudy(config, options) }
        walls[jobs, default: []].append(t)
        busy[jobs, default: []].append((cpuSeconds() - cpu) / t)
      } catch {
        failure = "\(error)"
      }
    }
  }
  let base = Sample(values: walls[1] ?? [])
  var speedup = Double.nan
  var records: [JSON] = []
  for jobs in jobCounts {
    let w = Sample(values: walls[jobs] ?? [])
    let x = base.median / w.median
    if jobs == cores && cores > 1 { speedup = x }
    section.rows.append([
      "\(jobs)", Format.time(w.median), Format.fixed(Double(trials) / w.median, 2), Format.ratio(x),
      Format.fixed(Sample(values: busy[jobs] ?? []).median, 2),
    ])
    records.append(
      .object([
        ("jobs", .number(Double(jobs))), ("wall_seconds", w.json),
        ("trials_per_second", .num(Double(trials) / w.median)), ("speedup", .num(x)),
        ("cpu_over_wall", Sample(values: busy[jobs] ?? []).json),
      ]))
  }
  let methods = config.methods.map(\.rawValue).joined(separator: ", ")
  section.notes = [
    "Study: \(methods) on blur, \(config.trials) trials per row (\(trials) trials), search \(config.search.searchEpochs) "
      + "and retraining \(config.search.retrainEpochs) epochs, SPEC sizes otherwise; runStudy in this process, "
      + "writing results.jsonl and the report into a temporary directory. Medians of \(repeats) runs, alternating.",
    "The tail matters: with few trials one worker may idle at the end, which the speedup includes. "
      + "CPU ÷ wall is this process's CPU time over the wall time: near \(cores) when every worker had a core; "
      + "lower when other processes took the cores (the load average at start is in the machine table).",
  ]
  if let failure { section.notes.append("The study failed: \(failure)") }
  section.json = .object([
    ("cores", .number(Double(cores))), ("trials", .number(Double(trials))),
    ("repetitions", .number(Double(repeats))),
    ("search_epochs", .number(Double(config.search.searchEpochs))),
    ("retrain_epochs", .number(Double(config.search.retrainEpochs))), ("runs", .array(records)),
    ("speedup", .num(speedup)), ("failure", failure.map { .string($0) } ?? .null),
  ])
  let name = "--jobs \(cores) ≥ 1.8× the throughput of --jobs 1"
  section.targets = [
    cores == 2
      ? Target(
        name: name,
        measured: speedup.isFinite ? "\(Format.ratio(speedup)) (need ≥ 1.8×)" : "not measured",
        pass: speedup.isFinite ? speedup >= 1.8 : nil)
      : Target(
        name: name, measured: "\(Format.ratio(speedup)) on \(cores) cores (the target is for 2)",
        pass: nil)
  ]
  return section
}
