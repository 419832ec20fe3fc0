import Foundation
import InverseProblems
import Numerics
import Search
import Study

/// The PyTorch peer: where its script is and which interpreter runs it.
struct Peer {
  var python: String
  var script: String

  /// `nil` and the reason when the peer cannot run here (no python3, no torch, no script).
  func availability() -> (torch: String?, reason: String?) {
    guard FileManager.default.fileExists(atPath: script) else {
      return (nil, "peer script not found at \(script)")
    }
    guard let exe = which(python) else { return (nil, "\(python) not found") }
    guard let r = runProcess(exe, ["-c", "import numpy, torch; print(torch.__version__)"]) else {
      return (nil, "\(exe) could not be started")
    }
    if r.status != 0 {
      let last = r.err.split(separator: "\n").last.map(String.init) ?? "exit \(r.status)"
      return (nil, "PyTorch is not usable from \(exe): \(last)")
    }
    return (r.out.trimmingCharacters(in: .whitespacesAndNewlines), nil)
  }

  /// Runs the peer with one thread and returns its last trial record (the warm one), or why not.
  func run(_ arguments: [String]) -> Result<JSON, ProcessFailure> {
    guard let exe = which(python) else { return .failure(ProcessFailure("\(python) not found")) }
    var env = ProcessInfo.processInfo.environment
    for k in ["OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"] { env[k] = "1" }
    guard let r = runProcess(exe, [script, "--threads", "1"] + arguments, environment: env) else {
      return .failure(ProcessFailure("could not start \(exe)"))
    }
    guard r.status == 0 else {
      return .failure(
        ProcessFailure("peer exited \(r.status): \(r.err.split(separator: "\n").last ?? "")"))
    }
    let records = r.out.split(separator: "\n").compactMap { try? JSON.parse(String($0)) }.filter {
      $0["summary"] == nil
    }
    guard let last = records.last else {
      return .failure(ProcessFailure("peer printed no trial record"))
    }
    return .success(last)
  }
}

/// One row of the comparison: what oneshot runs in process and what the peer runs.
struct PeerTask {
  var name: String
  var method: String
  /// Steps the timed phase takes (epochs × steps per epoch).
  var steps: Int
  /// Epochs of the timed phase.
  var epochs: Int
  /// The peer's field that holds the timed phase's seconds.
  var peerField: String
  var peerArguments: [String]
  /// Runs the phase in process with `epochs` epochs; returns seconds and the PSNR it reached.
  var oneshot: (_ epochs: Int) -> (seconds: Double, psnr: Double?)
}

/// A `darts-all` search, a `nets-only` and a `grad-only` retraining at SPEC sizes on `blur`,
/// oneshot (in process, BLAS on 1 thread) and the peer (a subprocess, torch on 1 thread)
/// alternating A B A B; medians of the per-trial seconds.
func peerBenchmark(quick: Bool, peer: Peer?) -> Section {
  BLAS.setThreads(1)
  var config = StudyConfig()
  if quick {
    config.search.searchEpochs = 2
    config.search.retrainEpochs = 4
  }
  let repeats = quick ? 1 : 3
  let problem = Problem.blur
  let data = DataSet<Float>(problem: problem, config: config.data, seed: config.dataSeed)
  let op: ForwardOperator<Float> = problem.forwardOperator(config.data, kernel: .blas)
  let stepsPerEpoch = config.data.trainSize / config.search.batchSize
  let s = config.search
  func searchConfig(_ epochs: Int) -> SearchConfig {
    var c = s
    c.searchEpochs = epochs
    return c
  }
  func retrainConfig(_ epochs: Int) -> SearchConfig {
    var c = s
    c.retrainEpochs = epochs
    return c
  }
  let common = ["--problem", problem.rawValue, "--trials", "2", "--seed", "0"]
  // A plain chain of one op retrained from scratch, against the peer's retraining of the same.
  func retrainTask(_ layer: Op, method: String) -> PeerTask {
    PeerTask(
      name: "\(method) retraining", method: method, steps: s.retrainEpochs * stepsPerEpoch,
      epochs: s.retrainEpochs,
      peerField: "retrain_seconds",
      peerArguments: ["--method", method, "--retrain-epochs", "\(s.retrainEpochs)"] + common
    ) { epochs in
      var out: RetrainOutcome?
      let t = seconds {
        out = retrain(
          architecture: Array(repeating: layer, count: s.layers), problem: op, data: data,
          config: retrainConfig(epochs), seed: 1, kernel: .blas)
      }
      return (t, out?.architecturePSNR)
    }
  }
  let tasks: [PeerTask] = [
    PeerTask(
      name: "darts-all search", method: "darts-all", steps: s.searchEpochs * stepsPerEpoch,
      epochs: s.searchEpochs,
      peerField: "search_seconds",
      peerArguments: [
        "--method", "darts-all", "--search-epochs", "\(s.searchEpochs)", "--retrain-epochs", "0",
      ] + common
    ) { epochs in
      var out: SearchOutcome?
      let t = seconds {
        out = searchArchitecture(
          ops: Op.allCases, problem: op, data: data, config: searchConfig(epochs), seed: 1,
          kernel: .blas)
      }
      return (t, out?.oneShotValidationPSNR)
    },
    retrainTask(.net, method: "nets-only"),
    retrainTask(.grad, method: "grad-only"),
  ]

  var section = Section(
    key: "peer", title: "2. Trials: oneshot vs the PyTorch peer (blur, SPEC sizes, 1 thread each)",
    columns: [
      "phase", "steps", "oneshot/trial", "oneshot/step", "peer/trial", "peer/step",
      "peer ÷ oneshot",
    ])
  let (torch, unavailable) = peer?.availability() ?? (nil, "skipped (--skip-peer)")
  var records: [JSON] = []
  var speedups: [String: Double] = [:]
  for task in tasks {
    _ = task.oneshot(1)  // warm-up: one epoch
    var mine: [Double] = []
    var theirs: [Double] = []
    var minePSNR: Double?
    var theirPSNR: Double?
    var failure: String? = unavailable
    for _ in 0..<repeats {
      let r = task.oneshot(task.epochs)
      mine.append(r.seconds)
      minePSNR = r.psnr
      if failure == nil, let peer {
        switch peer.run(task.peerArguments) {
        case .success(let rec):
          if let t = rec[task.peerField]?.double {
            theirs.append(t)
          } else {
            failure = "peer record has no \(task.peerField)"
          }
          theirPSNR =
            rec[task.method == "darts-all" ? "oneshot_val_psnr" : "architecture_psnr"]?.double
        case .failure(let f): failure = f.message
        }
      }
    }
    let a = Sample(values: mine)
    let b = Sample(values: theirs)
    let steps = Double(max(task.steps, 1))
    let speedup = theirs.isEmpty ? Double.nan : b.median / a.median
    speedups[task.method] = speedup
    section.rows.append([
      task.name, "\(task.steps)", Format.time(a.median), Format.time(a.median / steps),
      theirs.isEmpty ? "n/a" : Format.time(b.median),
      theirs.isEmpty ? "n/a" : Format.time(b.median / steps),
      theirs.isEmpty ? "n/a" : Format.ratio(speedup),
    ])
    records.append(
      .object([
        ("phase", .string(task.name)), ("method", .string(task.method)),
        ("steps", .number(Double(task.steps))),
        ("oneshot_seconds", a.json), ("peer_seconds", theirs.isEmpty ? .null : b.json),
        ("oneshot_seconds_per_step", .num(a.median / steps)),
        ("peer_seconds_per_step", theirs.isEmpty ? .null : .num(b.median / steps)),
        ("peer_over_oneshot", theirs.isEmpty ? .null : .num(speedup)),
        ("oneshot_psnr", .num(minePSNR)), ("peer_psnr", .num(theirPSNR)),
        ("peer_arguments", .array(task.peerArguments.map { .string($0) })),
        ("peer_unavailable", failure.map { .string($0) } ?? .null),
      ]))
    if let failure, failure != unavailable {
      section.notes.append("\(task.name): the peer failed: \(failure)")
    }
  }
  if let unavailable {
    section.notes.append("The peer did not run: \(unavailable). The oneshot column stands alone.")
  }
  section.notes += [
    "Medians of \(repeats) runs each, oneshot and peer alternating (A B A B …); search \(s.searchEpochs) epochs, "
      + "retraining \(s.retrainEpochs) epochs, \(stepsPerEpoch) steps per epoch, batch \(s.batchSize).",
    "oneshot: searchArchitecture / retrain in this process after a one-epoch warm-up, including the final PSNR "
      + "evaluation, excluding data generation. Peer: its own \(tasks[0].peerField) / \(tasks[1].peerField) fields "
      + "(no Python start-up, no data generation) of the second of two trials in one process (the first warms it up).",
    "A search step is one α step on a val batch and one weight step on a train batch; a retraining step is one weight step.",
  ]
  section.json = .object([
    ("repetitions", .number(Double(repeats))), ("torch", torch.map { .string($0) } ?? .null),
    ("peer_script", peer.map { .string($0.script) } ?? .null),
    ("peer_unavailable", unavailable.map { .string($0) } ?? .null),
    ("tasks", .array(records)),
  ])
  func judge(_ method: String, _ label: String) -> Target {
    guard let x = speedups[method], x.isFinite else {
      return Target(name: label, measured: "peer not measured", pass: nil)
    }
    return Target(
      name: label, measured: "\(Format.ratio(x)) faster than the peer (need ≥ 5×)", pass: x >= 5)
  }
  section.targets = [
    judge("darts-all", "darts-all search (a trial's search phase) ≥ 5× the PyTorch peer, 1 thread"),
    judge("nets-only", "nets-only retraining ≥ 5× the PyTorch peer, 1 thread"),
  ]
  return section
}
