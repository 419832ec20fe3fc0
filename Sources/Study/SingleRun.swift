import InverseProblems
import Numerics
import Search

/// `oneshot search`: one DARTS search with `config.seed` as the trial seed, as JSON.
public func searchOnce(_ config: StudyConfig, problem: Problem, ops: OpSet) -> JSON {
  BLAS.setThreads(1)  // one trial, one thread: as in a study
  let data = DataSet<Float>(problem: problem, config: config.data, seed: config.dataSeed(forTrial: config.seed))
  let s = searchArchitecture(
    ops: ops.ops, problem: problem.forwardOperator(config.data, kernel: config.kernel), data: data,
    config: config.search, seed: config.seed, kernel: config.kernel)
  return .object([
    ("problem", .string(problem.rawValue)),
    ("ops", .array(ops.ops.map { .string($0.rawValue) })),
    ("seed", .number(Double(config.seed))),
    ("order", .string(config.search.order.rawValue)),
    ("alpha", .array(s.alpha.map { .array($0.map { .num($0) }) })),
    ("architecture", s.architecture.map { .array($0.map { .string($0.rawValue) }) } ?? .null),
    ("oneshot_val_psnr", .num(s.oneShotValidationPSNR)),
    ("alpha_history", .array(s.alphaHistory.map { .array($0.map { .array($0.map { .num($0) }) }) })),
    ("diverged", .bool(s.divergence != nil)),
    ("divergence", s.divergence.map(\.json) ?? .null),
  ])
}

/// `oneshot train`: retrains `architecture` with `config.seed` as the trial seed, as JSON.
/// With a study trial's seed and architecture it reproduces that trial's architecture PSNR.
public func trainOnce(_ config: StudyConfig, problem: Problem, architecture: [Op]) -> JSON {
  BLAS.setThreads(1)
  let data = DataSet<Float>(problem: problem, config: config.data, seed: config.dataSeed(forTrial: config.seed))
  let r = retrain(
    architecture: architecture, problem: problem.forwardOperator(config.data, kernel: config.kernel), data: data,
    config: config.search, seed: config.seed, kernel: config.kernel)
  return .object([
    ("problem", .string(problem.rawValue)),
    ("architecture", .array(architecture.map { .string($0.rawValue) })),
    ("seed", .number(Double(config.seed))),
    ("architecture_psnr", .num(r.architecturePSNR)),
    ("diverged", .bool(r.divergence != nil)),
    ("divergence", r.divergence.map(\.json) ?? .null),
  ])
}

extension Divergence {
  /// Where the run stopped being finite, as JSON.
  public var json: JSON {
    .object([
      ("phase", .string(phase)), ("epoch", .number(Double(epoch))), ("step", .number(Double(step))),
      ("what", .string(what)),
    ])
  }
}
