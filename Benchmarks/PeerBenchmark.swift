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
      return (nil, "peer script not found at \(script) (pass --peer FILE or set ONESHOT_PEER)")
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

  /// Runs the peer's interpreter with every thread-count variable at 1 (nil: it cannot start).
  func runPython(_ arguments: [String]) -> (out: String, err: String, status: Int32)? {
    guard let exe = which(python) else { return nil }
    var env = ProcessInfo.processInfo.environment
    for k in ["OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"] { env[k] = "1" }
    return runProcess(exe, arguments, environment: env)
  }

  /// Runs the peer with one thread and returns its last trial record (the warm one), or why not.
  func run(_ arguments: [String]) -> Result<JSON, ProcessFailure> {
    guard let r = runPython([script, "--threads", "1"] + arguments) else {
      return .failure(ProcessFailure("could not start \(python)"))
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

/// One timed run of the comparison, giving one or more rows (phases): what oneshot runs in
/// process and what the peer runs.
struct PeerTask {
  struct Phase {
    var name: String
    /// Steps the phase takes (epochs × steps per epoch).
    var steps: Int
    /// The peer's fields whose seconds add up to the phase.
    var peerFields: [String]
  }
  var method: String
  var phases: [Phase]
  var peerArguments: [String]
  /// Runs in process (one epoch per phase when warming up); seconds per phase and the PSNR reached.
  var oneshot: (_ warmUp: Bool) -> (seconds: [Double], psnr: Double?, architecture: String)
}

/// A `darts-all` trial (its search, and search + retraining of the architecture it picked), a
/// `nets-only` and a `grad-only` retraining at SPEC sizes on `blur`, oneshot (in process, BLAS
/// on 1 thread) and the peer (a subprocess, torch on 1 thread) alternating A B A B; medians of
/// the per-trial seconds.
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
  func epochs(_ warmUp: Bool, search: Int, retrain: Int) -> SearchConfig {
    var c = s
    c.searchEpochs = warmUp ? 1 : search
    c.retrainEpochs = warmUp ? 1 : retrain
    return c
  }
  let searchSteps = s.searchEpochs * stepsPerEpoch, retrainSteps = s.retrainEpochs * stepsPerEpoch
  let common = ["--problem", problem.rawValue, "--trials", "2", "--seed", "0"]
  // A plain chain of one op retrained from scratch, against the peer's retraining of the same.
  func retrainTask(_ layer: Op, method: String) -> PeerTask {
    PeerTask(
      method: method, phases: [.init(name: "\(method) retraining", steps: retrainSteps, peerFields: ["retrain_seconds"])],
      peerArguments: ["--method", method, "--retrain-epochs", "\(s.retrainEpochs)"] + common
    ) { warmUp in
      var out: RetrainOutcome?
      let t = seconds {
        out = retrain(
          architecture: Array(repeating: layer, count: s.layers), problem: op, data: data,
          config: epochs(warmUp, search: 0, retrain: s.retrainEpochs), seed: 1, kernel: .blas)
      }
      return ([t], out?.architecturePSNR, Array(repeating: layer.rawValue, count: s.layers).joined(separator: ","))
    }
  }
  let tasks: [PeerTask] = [
    PeerTask(
      method: "darts-all",
      phases: [
        .init(name: "darts-all search", steps: searchSteps, peerFields: ["search_seconds"]),
        .init(
          name: "darts-all trial (search + retraining)", steps: searchSteps + retrainSteps,
          peerFields: ["search_seconds", "retrain_seconds"]),
      ],
      peerArguments: [
        "--method", "darts-all", "--search-epochs", "\(s.searchEpochs)", "--retrain-epochs", "\(s.retrainEpochs)",
      ] + common
    ) { warmUp in
      let c = epochs(warmUp, search: s.searchEpochs, retrain: s.retrainEpochs)
      var found: SearchOutcome?
      var out: RetrainOutcome?
      let search = seconds {
        found = searchArchitecture(ops: Op.allCases, problem: op, data: data, config: c, seed: 1, kernel: .blas)
      }
      let retraining = seconds {
        if let arch = found?.architecture {
          out = retrain(architecture: arch, problem: op, data: data, config: c, seed: 1, kernel: .blas)
        }
      }
      return (
        [search, search + retraining], out?.architecturePSNR,
        found?.architecture?.map(\.rawValue).joined(separator: ",") ?? "diverged"
      )
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
    _ = task.oneshot(true)  // warm-up: one epoch per phase
    var mine: [[Double]] = task.phases.map { _ in [] }
    var theirs: [[Double]] = task.phases.map { _ in [] }
    var minePSNR: Double?
    var theirPSNR: Double?
    var mineArch = "", theirArch = ""
    var failure: String? = unavailable
    for _ in 0..<repeats {
      let r = task.oneshot(false)
      for (i, t) in r.seconds.enumerated() { mine[i].append(t) }
      minePSNR = r.psnr
      mineArch = r.architecture
      if failure == nil, let peer {
        switch peer.run(task.peerArguments) {
        case .success(let rec):
          for (i, phase) in task.phases.enumerated() {
            let parts = phase.peerFields.compactMap { rec[$0]?.double }
            if parts.count == phase.peerFields.count {
              theirs[i].append(parts.reduce(0, +))
            } else {
              failure = "peer record lacks one of \(phase.peerFields.joined(separator: ", "))"
            }
          }
          theirPSNR = rec["architecture_psnr"]?.double
          theirArch = rec["architecture"]?.string ?? ""
        case .failure(let f): failure = f.message
        }
      }
    }
    for (i, phase) in task.phases.enumerated() {
      let a = Sample(values: mine[i])
      let b = Sample(values: theirs[i])
      let peerMissing = theirs[i].count != repeats
      let steps = Double(max(phase.steps, 1))
      let speedup = peerMissing ? Double.nan : b.median / a.median
      speedups[phase.name] = speedup
      section.rows.append([
        phase.name, "\(phase.steps)", Format.time(a.median), Format.time(a.median / steps),
        peerMissing ? "n/a" : Format.time(b.median),
        peerMissing ? "n/a" : Format.time(b.median / steps),
        peerMissing ? "n/a" : Format.ratio(speedup),
      ])
      records.append(
        .object([
          ("phase", .string(phase.name)), ("method", .string(task.method)),
          ("steps", .number(Double(phase.steps))),
          ("oneshot_seconds", a.json), ("peer_seconds", peerMissing ? .null : b.json),
          ("oneshot_seconds_per_step", .num(a.median / steps)),
          ("peer_seconds_per_step", peerMissing ? .null : .num(b.median / steps)),
          ("peer_over_oneshot", peerMissing ? .null : .num(speedup)),
          ("oneshot_architecture_psnr", .num(minePSNR)), ("peer_architecture_psnr", .num(theirPSNR)),
          ("oneshot_architecture", .string(mineArch)), ("peer_architecture", .string(theirArch)),
          ("peer_arguments", .array(task.peerArguments.map { .string($0) })),
          ("peer_unavailable", failure.map { .string($0) } ?? .null),
        ]))
    }
    if let failure, failure != unavailable {
      section.notes.append("\(task.method): the peer failed: \(failure)")
    }
    if task.phases.count > 1 && !theirArch.isEmpty {
      // A retraining's cost follows the number of net layers, so say what each side retrained.
      section.notes.append("\(task.method) trial: oneshot retrained \(mineArch), the peer \(theirArch) (last run of each).")
    }
  }
  if let unavailable {
    section.notes.append("The peer did not run: \(unavailable). The oneshot column stands alone.")
  }
  section.notes += [
    "Medians of \(repeats) runs each, oneshot and peer alternating (A B A B …); search \(s.searchEpochs) epochs, "
      + "retraining \(s.retrainEpochs) epochs, \(stepsPerEpoch) steps per epoch, batch \(s.batchSize).",
    "oneshot: searchArchitecture / retrain in this process after a one-epoch warm-up, including the final PSNR "
      + "evaluation, excluding data generation; the darts-all trial retrains the architecture its search picked. "
      + "Peer: its own search_seconds / retrain_seconds fields (no Python start-up, no data generation) of the "
      + "second of two trials in one process (the first warms it up); its darts-all trial is their sum.",
    "A search step is one α step on a val batch and one weight step on a train batch; a retraining step is one weight step.",
  ]
  section.json = .object([
    ("repetitions", .number(Double(repeats))), ("torch", torch.map { .string($0) } ?? .null),
    ("peer_script", peer.map { .string($0.script) } ?? .null),
    ("peer_unavailable", unavailable.map { .string($0) } ?? .null),
    ("tasks", .array(records)),
  ])
  func judge(_ phase: String, _ label: String) -> Target {
    guard let x = speedups[phase], x.isFinite else {
      return Target(name: label, measured: "peer not measured", pass: nil)
    }
    return Target(
      name: label, measured: "\(Format.ratio(x)) faster than the peer (need ≥ 5×)", pass: x >= 5)
  }
  section.targets = [
    judge("darts-all trial (search + retraining)", "darts-all trial (search + retraining) ≥ 5× the PyTorch peer, 1 thread"),
    judge("nets-only retraining", "nets-only retraining ≥ 5× the PyTorch peer, 1 thread"),
    judge("darts-all search", "(extra, not an issue target) darts-all search alone ≥ 5× the PyTorch peer, 1 thread"),
  ]
  return section
}
