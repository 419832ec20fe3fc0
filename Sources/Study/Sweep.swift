import Foundation
import Numerics

/// One swept key and its values as text, as `--grid KEY=V1,V2,...` gives them. A value of a
/// list key (`methods`, `problems`) joins its items with `+`, since `,` separates the values.
public struct GridAxis: Sendable, Equatable {
  public var key: String
  public var values: [String]

  public init(key: String, values: [String]) {
    self.key = key
    self.values = values
  }

  /// Parses `KEY=V1,V2,...` (the key and values are checked by `Sweep`).
  public static func parse(_ text: String) throws(ConfigError) -> GridAxis {
    guard let eq = text.firstIndex(of: "=") else { throw ConfigError("grid: expected KEY=V1,V2,..., got '\(text)'") }
    let values = text[text.index(after: eq)...].split(separator: ",", omittingEmptySubsequences: false)
    return GridAxis(
      key: text[..<eq].trimmingCharacters(in: .whitespaces), values: values.map { $0.trimmingCharacters(in: .whitespaces) })
  }
}

/// One combination of the grid's values: a full study configuration.
public struct SweepCell: Sendable {
  /// Position among the cells (the first swept key varies slowest).
  public var index: Int
  /// Each swept key with its value as `config.json` writes it, in the grid's key order.
  public var values: [(String, JSON)]
  public var config: StudyConfig
  /// Plan index of the cell's first trial; the cell's trials follow it contiguously.
  public var firstIndex: Int

  /// The values as `key=value` text, for messages.
  public var label: String { values.map { "\($0.0)=\(cellLabel($0.1))" }.joined(separator: ", ") }
}

/// What one run executes: the cells of a grid over a base configuration, each a full study,
/// on one plan whose index runs over all cells. A plain study is the sweep without a grid:
/// one cell, and records without cell keys.
public struct Sweep: Sendable {
  public let base: StudyConfig
  /// The swept keys in `ConfigKey.all` order, each value in canonical text (`cellLabel`).
  public let axes: [GridAxis]
  public let cells: [SweepCell]

  /// The plain study of `config`.
  public init(study config: StudyConfig) {
    base = config
    axes = []
    cells = [SweepCell(index: 0, values: [], config: config, firstIndex: 0)]
  }

  /// The Cartesian product of `grid` over `base`, every cell validated. The cells' order
  /// depends on the keys (sorted by their place in `ConfigKey.all`) and on the order of each
  /// key's values, never on the order in which the axes are given.
  public init(base: StudyConfig, grid: [GridAxis]) throws(ConfigError) {
    guard !grid.isEmpty else { throw ConfigError("grid: a sweep needs at least one --grid KEY=V1,V2,...") }
    let order = ConfigKey.all.map(\.name)
    var axes: [GridAxis] = []
    for axis in grid {
      guard let key = ConfigKey.named(axis.key) else {
        throw ConfigError("grid: unknown key '\(axis.key)' (the keys are the settings of `oneshot sweep --help`)")
      }
      guard !axes.contains(where: { $0.key == key.name }) else { throw ConfigError("grid: \(key.name) is given twice") }
      guard !axis.values.isEmpty, !axis.values.contains("") else {
        throw ConfigError("grid: \(key.name) has an empty value in '\(axis.values.joined(separator: ","))'")
      }
      // Canonical text, so that 1e-3 and 0.001 are one value (and one hash) wherever they are written.
      var canonical: [String] = []
      for text in axis.values {
        var c = base
        do { try key.set(&c, key.isList ? text.replacingOccurrences(of: "+", with: ",") : text) } catch {
          throw ConfigError("grid: \(error)")
        }
        let label = cellLabel(key.get(c))
        guard !canonical.contains(label) else { throw ConfigError("grid: \(key.name) has the value \(label) twice") }
        canonical.append(label)
      }
      axes.append(GridAxis(key: key.name, values: canonical))
    }
    axes.sort { order.firstIndex(of: $0.key)! < order.firstIndex(of: $1.key)! }
    var cells: [SweepCell] = []
    var first = 0
    let count = axes.reduce(1) { $0 * $1.values.count }
    for n in 0..<count {
      var config = base
      var values: [(String, JSON)] = []
      var rest = n
      var picks = [Int](repeating: 0, count: axes.count)
      for a in axes.indices.reversed() {
        picks[a] = rest % axes[a].values.count
        rest /= axes[a].values.count
      }
      for (a, axis) in axes.enumerated() {
        let key = ConfigKey.named(axis.key)!
        let text = axis.values[picks[a]]
        try key.set(&config, key.isList ? text.replacingOccurrences(of: "+", with: ",") : text)
        values.append((key.name, key.get(config)))
      }
      let cell = SweepCell(index: n, values: values, config: config, firstIndex: first)
      do { try config.validate() } catch { throw ConfigError("grid: cell \(cell.label): \(error)") }
      cells.append(cell)
      first += config.planSize
    }
    self.base = base
    self.axes = axes
    self.cells = cells
  }

  /// Whether this is a sweep over a grid rather than a plain study.
  public var isGrid: Bool { !axes.isEmpty }

  /// Every trial of every cell, cell after cell; `index` runs over the whole sweep, so
  /// `--shard K/N` splits the sweep, not each cell.
  public var plan: [TrialSpec] {
    cells.flatMap { cell in
      cell.config.plan.map { spec in
        var s = spec
        s.index += cell.firstIndex
        s.cell = cell.index
        return s
      }
    }
  }

  /// The grid as `config.json` writes it: each key with its canonical values.
  var gridJSON: JSON { .object(axes.map { ($0.key, .array($0.values.map { .string($0) })) }) }

  /// The configuration's hash for a plain study; for a sweep, a hash of the base and the grid.
  public var hash: String { isGrid ? shortHash(base.json.serialized + gridJSON.serialized) : base.hash }

  /// What `config.json` holds: the resolved configuration (a sweep's base), the grid and every
  /// cell's resolved configuration, and how it was run.
  func provenance(shard: (k: Int, n: Int)?) -> JSON {
    var kv: [(String, JSON)] = [
      ("oneshot_version", .string(oneshotVersion)),
      ("config_hash", .string(hash)),
      ("config", base.json),
    ]
    if isGrid {
      kv.append(("grid", gridJSON))
      kv.append(
        (
          "cells",
          .array(
            cells.map { c in
              .object([
                ("cell_index", .number(Double(c.index))), ("values", .object(c.values)),
                ("first_index", .number(Double(c.firstIndex))), ("trials", .number(Double(c.config.planSize))),
                ("config_hash", .string(c.config.hash)), ("config", c.config.json),
              ])
            })
        ))
    }
    return .object(
      kv + [
        ("shard", shard.map { .string("\($0.k)/\($0.n)") } ?? .null),
        ("planned_trials", .number(Double(plan.count))),  // the whole plan, whatever the shard
        ("kernel", .string(base.kernel.rawValue)),
        ("openblas_config", .string(BLAS.configuration)),
        ("openblas_core", .string(BLAS.coreName)),
        ("blas_threads_per_trial", .number(Double(BLAS.threads))),  // read back: runSweep pins it first
      ])
  }

  /// The `sensitivity` preset: α learning rate × weight learning rate around the SPEC
  /// defaults (3e-3 and 1e-3), `darts-all` on both problems, 20 trials per cell.
  public static var sensitivity: (base: StudyConfig, grid: [GridAxis]) {
    var c = StudyConfig.paper
    c.methods = [.dartsAll]
    c.trials = 20
    return (
      c,
      [
        GridAxis(key: "alpha-lr", values: ["1e-3", "3e-3", "1e-2", "3e-2"]),
        GridAxis(key: "weight-lr", values: ["3e-4", "1e-3", "3e-3"]),
      ]
    )
  }
}

/// The configuration hash a record at plan `index` must carry, read from a `config.json`:
/// its cell's for a sweep, the study's otherwise; nil when no cell holds the index.
func expectedRecordHash(_ provenance: JSON, index: Int) -> String? {
  guard let cells = provenance["cells"]?.array else { return provenance["config_hash"]?.string }
  let cell = cells.first { c in
    guard let first = c["first_index"]?.int, let n = c["trials"]?.int else { return false }
    return first <= index && index < first + n
  }
  return cell?["config_hash"]?.string
}

/// A swept value as text: numbers as `config.json` writes them, a list's items joined by `+`.
public func cellLabel(_ value: JSON) -> String {
  switch value {
  case .string(let s): return s
  case .array(let a): return a.map(cellLabel).joined(separator: "+")
  default: return value.serialized
  }
}
