import Foundation
import InverseProblems
import Numerics
import Search

/// One settable value of `StudyConfig`: its flag and JSON name, its help, and how to read and
/// write it. The command line (`--name value`), config files (`{"name": value}`) and sweeps
/// (`--grid name=v1,v2`) all go through this one table.
public struct ConfigKey {
  public let name: String
  public let help: String
  /// The value as it appears in `config.json`.
  public let get: (StudyConfig) -> JSON
  /// Sets the value from its textual form (a flag's argument, a grid value).
  public let set: (inout StudyConfig, String) throws(ConfigError) -> Void
  /// A boolean key, which also works as a bare switch (`--vary-data`).
  public var isSwitch = false
  /// A comma-separated list (`methods`, `problems`); a sweep joins a grid value's items with `+`.
  public var isList = false

  /// Looks a key up by name.
  public static func named(_ name: String) -> ConfigKey? { all.first { $0.name == name } }

  /// Sets the key from a JSON value (config files), via the same text parser as the flags.
  public func set(_ c: inout StudyConfig, json: JSON) throws(ConfigError) {
    // The JSON type must be the one `config.json` writes (a list may also be one string):
    // `"trials": "2"` is more likely a mistake than a wish.
    let expected = JSON.kind(get(c)), given = JSON.kind(json)
    guard given == expected || (isList && given == "a string") else {
      throw ConfigError("\(name): expected \(expected), got \(json == .null ? "null" : "\(given) \(json.serialized)")")
    }
    let text: String
    switch json {
    case .number(let x): text = x == x.rounded() && abs(x) <= 9_007_199_254_740_992 ? String(Int64(x)) : "\(x)"
    case .string(let s): text = s
    case .bool(let b): text = b ? "true" : "false"
    case .array(let a):
      text = a.map { v -> String in
        if let s = v.string { return s }
        if let x = v.double { return "\(x)" }
        return "?"
      }.joined(separator: ",")
    default: throw ConfigError("\(name): unsupported value \(json.serialized)")
    }
    try set(&c, text)
  }

  static func int(_ name: String, _ kp: WritableKeyPath<StudyConfig, Int>, _ help: String) -> ConfigKey {
    ConfigKey(name: name, help: help, get: { .number(Double($0[keyPath: kp])) }) { (c, s) throws(ConfigError) in
      guard let v = Int(s) else { throw ConfigError("\(name): expected an integer, got '\(s)'") }
      c[keyPath: kp] = v
    }
  }

  static func seed(_ name: String, _ kp: WritableKeyPath<StudyConfig, UInt64>, _ help: String) -> ConfigKey {
    ConfigKey(name: name, help: help, get: { .number(Double($0[keyPath: kp])) }) { (c, s) throws(ConfigError) in
      guard let v = UInt64(s), v < (1 << 53) else {
        throw ConfigError("\(name): expected an integer in 0..<2^53, got '\(s)'")
      }
      c[keyPath: kp] = v
    }
  }

  static func real(_ name: String, _ kp: WritableKeyPath<StudyConfig, Double>, _ help: String) -> ConfigKey {
    ConfigKey(name: name, help: help, get: { .num($0[keyPath: kp]) }) { (c, s) throws(ConfigError) in
      guard let v = Double(s) else { throw ConfigError("\(name): expected a number, got '\(s)'") }
      c[keyPath: kp] = v
    }
  }

  static func flag(_ name: String, _ kp: WritableKeyPath<StudyConfig, Bool>, _ help: String) -> ConfigKey {
    ConfigKey(
      name: name, help: help, get: { .bool($0[keyPath: kp]) },
      set: { (c, s) throws(ConfigError) in
        guard let v = Bool(s) else { throw ConfigError("\(name): expected true or false, got '\(s)'") }
        c[keyPath: kp] = v
      }, isSwitch: true)
  }

  static func choice<E: RawRepresentable & CaseIterable>(
    _ name: String, _ kp: WritableKeyPath<StudyConfig, E>, _ help: String
  ) -> ConfigKey where E.RawValue == String {
    let names = E.allCases.map(\.rawValue).joined(separator: "|")
    return ConfigKey(name: name, help: "\(help) (\(names))", get: { .string($0[keyPath: kp].rawValue) }) {
      (c, s) throws(ConfigError) in
      guard let v = E(rawValue: s) else { throw ConfigError("\(name): unknown value '\(s)', expected \(names)") }
      c[keyPath: kp] = v
    }
  }

  static func list<E: RawRepresentable & CaseIterable & Equatable>(
    _ name: String, _ kp: WritableKeyPath<StudyConfig, [E]>, _ help: String
  ) -> ConfigKey where E.RawValue == String {
    let names = E.allCases.map(\.rawValue).joined(separator: ",")
    return ConfigKey(
      name: name, help: "\(help) (comma-separated from \(names))",
      get: { .array($0[keyPath: kp].map { .string($0.rawValue) }) },
      set: { (c, s) throws(ConfigError) in
        var out: [E] = []
        for part in s.split(separator: ",", omittingEmptySubsequences: false) {
          let p = part.trimmingCharacters(in: .whitespaces)
          guard let v = E(rawValue: p) else { throw ConfigError("\(name): unknown value '\(p)', expected one of \(names)") }
          if !out.contains(v) { out.append(v) }
        }
        c[keyPath: kp] = out
      }, isList: true)
  }

  /// Every key, in the order `config.json` lists them.
  public static var all: [ConfigKey] {
    [
      list("methods", \.methods, "rows of the study"),
      list("problems", \.problems, "forward problems"),
      int("trials", \.trials, "trials per method and problem"),
      seed("seed", \.seed, "study seed; trial seeds derive from it"),
      seed("data-seed", \.dataSeed, "seed of the train/val/test signals"),
      flag("vary-data", \.varyData, "draw new data for every trial from its seed"),
      choice("kernel", \.kernel, "convolution kernel"),
      int("length", \.data.length, "samples per signal L"),
      int("train-size", \.data.trainSize, "signals in the train split"),
      int("val-size", \.data.valSize, "signals in the val split"),
      int("test-size", \.data.testSize, "signals in the test split"),
      real("noise-sigma", \.data.noiseSigma, "measurement noise standard deviation"),
      real("blur-sigma", \.data.blurSigma, "Gaussian width of the blur problem"),
      real("anti-alias-sigma", \.data.antiAliasSigma, "anti-alias Gaussian width of the downsample problem"),
      int("downsample-factor", \.data.downsampleFactor, "keep every n-th sample"),
      int("layers", \.search.layers, "layers N of the chain"),
      int("channels", \.search.channels, "hidden channels C of the net op"),
      int("kernel-width", \.search.kernelWidth, "convolution width k of the net op"),
      int("roll-shift", \.search.rollShift, "shift of the roll op"),
      real("step-init", \.search.stepInit, "initial step size of the grad op"),
      real("net-output-scale", \.search.netOutputScale, "scale of the net op's second convolution at init"),
      real("alpha-init-scale", \.search.alphaInitScale, "standard deviation of alpha's initialisation"),
      int("batch-size", \.search.batchSize, "minibatch size"),
      real("weight-lr", \.search.weightLR, "weight learning rate (cosine schedule peak)"),
      real("weight-beta1", \.search.weightBeta1, "Adam beta1 of the weights"),
      real("weight-beta2", \.search.weightBeta2, "Adam beta2 of the weights"),
      real("gradient-clip", \.search.gradientClip, "gradient-norm clip on the weights (0: none)"),
      real("alpha-lr", \.search.alphaLR, "alpha learning rate"),
      real("alpha-beta1", \.search.alphaBeta1, "Adam beta1 of alpha"),
      real("alpha-beta2", \.search.alphaBeta2, "Adam beta2 of alpha"),
      real("alpha-weight-decay", \.search.alphaWeightDecay, "coupled L2 decay on alpha"),
      int("search-epochs", \.search.searchEpochs, "epochs of the DARTS search"),
      int("retrain-epochs", \.search.retrainEpochs, "epochs of the retraining"),
      choice("order", \.search.order, "DARTS order"),
      int("eval-batch", \.search.evalBatch, "signals per forward pass when evaluating a split"),
    ]
  }
}
