import Foundation
import InverseProblems
import Numerics
import Search
import Study

/// Child process: one `darts-all` trial (search, then retraining of its architecture) at SPEC
/// sizes; prints resident memory before it and the process's peak after it, as one JSON line.
func memoryTrialChild(quick: Bool) {
  BLAS.setThreads(1)
  var config = StudyConfig()
  if quick {
    config.search.searchEpochs = 2
    config.search.retrainEpochs = 4
  }
  let problem = Problem.blur
  let data = DataSet<Float>(problem: problem, config: config.data, seed: config.dataSeed)
  let op: ForwardOperator<Float> = problem.forwardOperator(config.data, kernel: .blas)
  let before = procStatusBytes("VmRSS") ?? -1
  let s = searchArchitecture(
    ops: Op.allCases, problem: op, data: data, config: config.search, seed: 1, kernel: .blas)
  let r = retrain(
    architecture: s.architecture ?? Array(repeating: .net, count: config.search.layers),
    problem: op, data: data,
    config: config.search, seed: 1, kernel: .blas)
  let out: JSON = .object([
    ("rss_before_trial", .number(Double(before))),
    ("vm_hwm", .number(Double(procStatusBytes("VmHWM") ?? -1))),
    ("ru_maxrss", .number(Double(maxResidentBytes()))),
    ("architecture_psnr", .num(r.architecturePSNR)),
    ("search_epochs", .number(Double(config.search.searchEpochs))),
    ("retrain_epochs", .number(Double(config.search.retrainEpochs))),
  ])
  print(out.serialized)
}

/// Child process: a `darts-all` search loop of `steps` steps; prints resident memory and the
/// tape's buffer bytes after every epoch.
func memoryGrowthChild(steps: Int) {
  BLAS.setThreads(1)
  var config = StudyConfig()
  let perEpoch = config.data.trainSize / config.search.batchSize
  let epochs = (steps + perEpoch - 1) / perEpoch
  config.search.searchEpochs = epochs
  let problem = Problem.blur
  let data = DataSet<Float>(problem: problem, config: config.data, seed: config.dataSeed)
  let op: ForwardOperator<Float> = problem.forwardOperator(config.data, kernel: .blas)
  let net = Network<Float>(
    supernetOver: Op.allCases, problem: op, config: config.search, seed: 1, phase: "search")
  var trainer = Trainer(
    net: net, data: data, epochs: epochs, seed: 1, phase: "search", kernel: .blas)
  let tape = trainer.tape
  // Preallocated, so that recording allocates nothing the measurement would then see.
  var rss = [Int](repeating: 0, count: epochs)
  var tapeBytes = [Int](repeating: 0, count: epochs)
  do {
    try trainer.run { epoch, _ in
      rss[epoch] = procStatusBytes("VmRSS") ?? -1
      tapeBytes[epoch] = tape.bytesHeld
    }
  } catch {
    print(JSON.object([("error", .string("search diverged: \(error)"))]).serialized)
    return
  }
  let marks: [JSON] = (0..<epochs).map { e in
    .object([
      ("step", .number(Double((e + 1) * perEpoch))), ("rss", .number(Double(rss[e]))),
      ("tape_bytes", .number(Double(tapeBytes[e]))),
    ])
  }
  print(JSON.object([("marks", .array(marks))]).serialized)
}

/// Peak resident memory of one trial and the growth of resident memory and of the tape from
/// step ~100 to the last step, each measured in a fresh child process of this executable.
func memoryBenchmark(quick: Bool) -> Section {
  let steps = quick ? 400 : 2000
  var section = Section(
    key: "memory",
    title: "5. Memory: one trial's peak, and growth across search steps (child processes)",
    columns: ["measurement", "value"])
  let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
  func child(_ args: [String]) -> Result<JSON, ProcessFailure> {
    guard let r = runProcess(exe, ["--child"] + args) else {
      return .failure(ProcessFailure("could not start \(exe)"))
    }
    guard r.status == 0, let line = r.out.split(separator: "\n").last,
      let json = try? JSON.parse(String(line))
    else {
      return .failure(ProcessFailure("child exited \(r.status): \(r.err.suffix(300))"))
    }
    if let e = json["error"]?.string { return .failure(ProcessFailure(e)) }
    return .success(json)
  }
  var json: [(String, JSON)] = []
  switch child(["memory-trial"] + (quick ? ["--quick"] : [])) {
  case .success(let j):
    let hwm = j["vm_hwm"]?.int ?? -1
    let before = j["rss_before_trial"]?.int ?? -1
    let maxrss = j["ru_maxrss"]?.int ?? -1
    section.rows += [
      ["darts-all trial: peak resident (VmHWM)", Format.mib(hwm)],
      ["  of which before the trial started (runtime + data)", Format.mib(before)],
      ["  peak minus that: the trial's own", Format.mib(hwm - before)],
      ["  getrusage ru_maxrss (see the note)", Format.mib(maxrss)],
    ]
    section.notes.append(
      "VmHWM is the child's own peak. Linux keeps ru_maxrss across exec, so it can show the parent's peak "
        + "at the time of the spawn instead; it is listed for comparison only.")
    section.notes.append(
      "Trial: darts-all on blur, search \(j["search_epochs"]?.int ?? 0) and retraining \(j["retrain_epochs"]?.int ?? 0) "
        + "epochs, in a fresh child process (`oneshot-bench --child memory-trial`).")
    json.append(("trial", j))
  case .failure(let f):
    section.notes.append("The trial child failed: \(f.message)")
  }
  var target = Target(name: "no memory growth across steps", measured: "not measured", pass: nil)
  switch child(["memory-growth", "--steps", "\(steps)"]) {
  case .success(let j):
    let marks = j["marks"]?.array ?? []
    if let a = marks.first(where: { ($0["step"]?.int ?? 0) >= 100 }), let b = marks.last, a != b {
      let s0 = a["step"]?.int ?? 0
      let s1 = b["step"]?.int ?? 0
      let rss = (b["rss"]?.int ?? 0) - (a["rss"]?.int ?? 0)
      let tapeGrowth = (b["tape_bytes"]?.int ?? 0) - (a["tape_bytes"]?.int ?? 0)
      section.rows += [
        [
          "resident memory at step \(s0) → \(s1)",
          "\(Format.mib(a["rss"]?.int ?? 0)) → \(Format.mib(b["rss"]?.int ?? 0))",
        ],
        ["  growth", "\(rss / 1024) KiB"],
        [
          "tape buffers at step \(s0) → \(s1)",
          "\(a["tape_bytes"]?.int ?? 0) → \(b["tape_bytes"]?.int ?? 0) bytes",
        ],
        ["  growth", "\(tapeGrowth) bytes"],
      ]
      target = Target(
        name: "no memory growth across steps (\(s0) → \(s1))",
        measured: "resident \(rss / 1024) KiB, tape \(tapeGrowth) bytes (need 0 and 0)",
        pass: rss <= 0 && tapeGrowth == 0)
      section.notes.append(
        "Growth: a darts-all search loop of \(s1) steps in a fresh child process; VmRSS and the tape's bytesHeld "
          + "read after every epoch (into preallocated arrays); compared at the end of the first epoch at or after step 100 "
          + "and at the last step. The whole series is in the JSON.")
    }
    json.append(("growth", j))
  case .failure(let f):
    section.notes.append("The growth child failed: \(f.message)")
  }
  section.json = .object(json)
  section.targets = [target]
  return section
}
