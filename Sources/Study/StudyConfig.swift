import InverseProblems
import Numerics
import Search

/// Everything that determines a study's results: one source of truth, read from flags or a
/// JSON file through `ConfigKey`, written into `config.json` and hashed into every record.
public struct StudyConfig: Equatable, Sendable {
  public var methods: [Method] = Method.allCases
  public var problems: [Problem] = Problem.allCases
  /// Trials per (method, problem) row.
  public var trials = 100
  /// Study seed; trial seeds derive from it (SPEC §7).
  public var seed: UInt64 = 0
  /// Seed of the data splits, shared by every trial unless `varyData`.
  public var dataSeed: UInt64 = 0
  /// Draw new data per trial from the trial's seed.
  public var varyData = false
  public var kernel = ConvolutionKernel.blas
  public var data = ProblemConfig()
  public var search = SearchConfig()

  public init() {}

  /// The SPEC defaults with 100 trials per row.
  public static let paper = StudyConfig()

  /// Small enough that the whole 10-row table runs in about a minute on 2 cores: 20 trials
  /// per row and a third of the epochs; data, sizes and optimisers as in the SPEC.
  public static var quick: StudyConfig {
    var c = StudyConfig()
    c.trials = 20
    c.search.searchEpochs = 10
    c.search.retrainEpochs = 20
    return c
  }

  /// The configuration as an ordered JSON object of every key.
  public var json: JSON { .object(ConfigKey.all.map { ($0.name, $0.get(self)) }) }

  /// A short stable hash of `json`, carried by every record.
  public var hash: String { shortHash(json.serialized) }

  /// Problems the study finds in the configuration before running anything.
  public func validate() throws(ConfigError) {
    func need(_ ok: Bool, _ key: String, _ why: String) throws(ConfigError) {
      if !ok { throw ConfigError("\(key): \(why)") }
    }
    try need(!methods.isEmpty, "methods", "needs at least one method")
    try need(!problems.isEmpty, "problems", "needs at least one problem")
    try need(trials > 0, "trials", "must be positive, got \(trials)")
    try need(data.length > 0, "length", "must be positive, got \(data.length)")
    try need(data.downsampleFactor > 0, "downsample-factor", "must be positive, got \(data.downsampleFactor)")
    if problems.contains(.downsample) {
      try need(
        data.length % data.downsampleFactor == 0, "length",
        "\(data.length) is not divisible by the downsampling factor \(data.downsampleFactor)")
    }
    for (k, v) in [("train-size", data.trainSize), ("val-size", data.valSize), ("test-size", data.testSize)] {
      try need(v > 0, k, "must be positive, got \(v)")
    }
    let s = search
    for (k, v) in [
      ("layers", s.layers), ("channels", s.channels), ("kernel-width", s.kernelWidth),
      ("batch-size", s.batchSize), ("eval-batch", s.evalBatch),
    ] {
      try need(v > 0, k, "must be positive, got \(v)")
    }
    for (k, v) in [("search-epochs", s.searchEpochs), ("retrain-epochs", s.retrainEpochs)] {
      try need(v >= 0, k, "must not be negative, got \(v)")
    }
    try need(s.batchSize <= min(data.trainSize, data.valSize), "batch-size", "exceeds the train or val split size")
    for (k, v) in [
      ("weight-lr", s.weightLR), ("alpha-lr", s.alphaLR), ("alpha-weight-decay", s.alphaWeightDecay),
      ("noise-sigma", data.noiseSigma), ("alpha-init-scale", s.alphaInitScale),
      ("gradient-clip", s.gradientClip), ("blur-sigma", data.blurSigma),
      ("anti-alias-sigma", data.antiAliasSigma),
    ] {
      try need(v.isFinite && v >= 0, k, "must be finite and not negative, got \(v)")
    }
    // Signed settings: any finite value is a valid (if odd) choice.
    for (k, v) in [("step-init", s.stepInit), ("net-output-scale", s.netOutputScale)] {
      try need(v.isFinite, k, "must be finite, got \(v)")
    }
    for (k, v) in [("blur-sigma", data.blurSigma), ("anti-alias-sigma", data.antiAliasSigma)] {
      try need(v > 0, k, "must be positive, got \(v)")
    }
    for (k, v) in [
      ("weight-beta1", s.weightBeta1), ("weight-beta2", s.weightBeta2),
      ("alpha-beta1", s.alphaBeta1), ("alpha-beta2", s.alphaBeta2),
    ] {
      try need(v >= 0 && v < 1, k, "must be in [0, 1), got \(v)")
    }
  }
}

/// A configuration the study cannot run, with the key to fix.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
  public var description: String
  public init(_ d: String) { description = d }
}

/// 16 hex digits of SplitMix64 over the text's FNV-1a hash: the hashes of configurations and sweeps.
func shortHash(_ text: String) -> String {
  String(deriveSeed(stableHash(text)), radix: 16).leftPadded(to: 16)
}

extension String {
  func leftPadded(to n: Int, with c: Character = "0") -> String {
    count >= n ? self : String(repeating: c, count: n - count) + self
  }
}
