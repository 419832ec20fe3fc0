import Foundation
import InverseProblems
import Study

/// A command-line mistake: printed as one line, exit code 64 (EX_USAGE).
struct UsageError: Error {
  let message: String
  init(_ m: String) { message = m }
}

/// What a command accepts beyond the configuration keys.
struct Option {
  let name: String
  /// Placeholder of the value, or nil for a switch.
  let value: String?
  let help: String
}

/// Parsed `--name value` pairs and switches, checked against what the command accepts.
struct Arguments {
  private(set) var values: [String: [String]] = [:]
  private(set) var switches: Set<String> = []
  private(set) var positional: [String] = []
  /// Configuration keys in the order given.
  private(set) var configAssignments: [(String, String)] = []

  init(_ args: [String], options: [Option], configKeys: Bool, positional allowPositional: Bool = false) throws(UsageError) {
    let byName = Dictionary(options.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    var i = 0
    while i < args.count {
      let a = args[i] == "-h" ? "--help" : args[i]
      i += 1
      guard a.hasPrefix("--") else {
        if allowPositional { positional.append(a); continue }
        throw UsageError("unexpected argument '\(a)'")
      }
      var name = String(a.dropFirst(2))
      var inline: String? = nil
      if let eq = name.firstIndex(of: "=") {
        inline = String(name[name.index(after: eq)...])
        name = String(name[..<eq])
      }
      func value() throws(UsageError) -> String {
        if let inline { return inline }
        guard i < args.count, !(args[i].hasPrefix("--") && args[i].count > 2 && Double(args[i]) == nil) else {
          throw UsageError("--\(name) needs a value")
        }
        i += 1
        return args[i - 1]
      }
      if let o = byName[name] {
        if o.value == nil {
          if inline != nil { throw UsageError("--\(name) takes no value") }
          switches.insert(name)
        } else {
          values[name, default: []].append(try value())
        }
      } else if configKeys, let key = ConfigKey.named(name) {
        let bare = key.isSwitch && inline == nil && (i >= args.count || args[i].hasPrefix("--"))
        configAssignments.append((key.name, bare ? "true" : try value()))
      } else {
        throw UsageError("unknown option --\(name) (see --help)")
      }
    }
  }

  func has(_ name: String) -> Bool { switches.contains(name) }
  func last(_ name: String) -> String? { values[name]?.last }
  func all(_ name: String) -> [String] { values[name] ?? [] }

  /// An integer option within `range`.
  func int(_ name: String, in range: ClosedRange<Int> = Int.min...Int.max) throws(UsageError) -> Int? {
    guard let s = last(name) else { return nil }
    guard let v = Int(s) else { throw UsageError("--\(name): expected an integer, got '\(s)'") }
    guard range.contains(v) else { throw UsageError("--\(name): \(v) is out of range \(range)") }
    return v
  }
}

/// The presets of every command that runs a study.
let standardPresets: [(name: String, config: StudyConfig)] = [("quick", .quick), ("paper", .paper)]

/// Builds a configuration: preset, then the config file, then the flags (whatever their order),
/// validated unless the caller validates what it derives from it.
func resolveConfig(
  _ args: Arguments, base: StudyConfig, presets: [(name: String, config: StudyConfig)] = standardPresets,
  problem: Problem? = nil, validate: Bool = true
) throws(UsageError) -> StudyConfig {
  var c = base
  if let p = args.last("preset") {
    guard let preset = presets.first(where: { $0.name == p }) else {
      throw UsageError("--preset: unknown preset '\(p)', expected \(presets.map(\.name).joined(separator: "|"))")
    }
    c = preset.config
  }
  if let (path, json) = try configFile(args) {
    // A study's own config.json is accepted as it is: it nests the keys under "config".
    let body = json["oneshot_version"] != nil ? (json["config"] ?? .null) : json
    guard case .object(let kv) = body else { throw UsageError("--config \(path): expected a JSON object of settings") }
    for (k, v) in kv {
      guard let key = ConfigKey.named(k) else { throw UsageError("--config \(path): unknown key '\(k)'") }
      do { try key.set(&c, json: v) } catch { throw UsageError("--config \(path): \(error)") }
    }
  }
  for (k, v) in args.configAssignments {
    // A typo such as `search --problems downsample` would otherwise run blur without a word.
    if problem != nil && studyOnlyKeys.contains(k) {
      throw UsageError("--\(k) is a study setting; a single search or training takes --problem and --seed")
    }
    do { try ConfigKey.named(k)!.set(&c, v) } catch { throw UsageError("--\(error)") }
  }
  // A single search or training runs its own problem: validate against that one (its length
  // must suit the downsampling factor even when the config file names only blur).
  if let problem { c.problems = [problem] }
  if validate {
    do { try c.validate() } catch { throw UsageError("--\(error)") }
  }
  return c
}

/// The `--config` file's path and JSON, or nil without `--config`.
func configFile(_ args: Arguments) throws(UsageError) -> (path: String, json: JSON)? {
  guard let path = args.last("config") else { return nil }
  guard let data = FileManager.default.contents(atPath: path) else { throw UsageError("--config: cannot read \(path)") }
  do { return (path, try JSON.parse(String(decoding: data, as: UTF8.self))) } catch {
    throw UsageError("--config \(path): malformed JSON: \(error)")
  }
}

/// Keys that mean something only to a study: a single search or training has one problem and
/// one seed, so its help leaves them out and its flags refuse them (a config file may hold them).
let studyOnlyKeys: Set<String> = ["methods", "problems", "trials"]

/// The help lines of every configuration key, with its default in `base`.
func configHelp(_ base: StudyConfig, singleRun: Bool = false) -> String {
  return ConfigKey.all.filter { !singleRun || !studyOnlyKeys.contains($0.name) }.map { k in
    let def = k.get(base)
    let shown = def.string ?? def.array.map { $0.compactMap(\.string).joined(separator: ",") } ?? def.serialized
    let help =
      singleRun && k.name == "seed" ? "the trial's own seed (a study record's `seed` reproduces that trial)" : k.help
    return helpLine("--\(k.name) \(k.isSwitch ? "[true|false]" : "<value>")", "\(help) [\(shown)]")
  }.joined(separator: "\n")
}

/// One aligned line of help; a long flag pushes its text right rather than touching it.
func helpLine(_ flag: String, _ text: String) -> String {
  let left = "  " + flag
  return (left.count < 31 ? left.padding(toLength: 32, withPad: " ", startingAt: 0) : left + "  ") + text
}
