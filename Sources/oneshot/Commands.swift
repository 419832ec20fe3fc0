import Foundation
import InverseProblems
import Search
import Study

let studyOptions: [Option] = [
  Option(name: "preset", value: "quick|paper", help: "start from a preset (default: paper)"),
  Option(name: "config", value: "FILE", help: "read settings from a JSON file (flags override it)"),
  Option(name: "jobs", value: "J", help: "trials in parallel (default: the core count)"),
  Option(name: "out", value: "DIR", help: "output directory (default: results/study)"),
  Option(name: "resume", value: nil, help: "continue DIR: run only the trials without a record"),
  Option(name: "force", value: nil, help: "start over in a non-empty DIR"),
  Option(name: "shard", value: "K/N", help: "run only the trials whose index is ≡ K mod N"),
  Option(name: "quiet", value: nil, help: "no live status line"),
  Option(name: "help", value: nil, help: "show this help"),
]

func optionHelp(_ options: [Option]) -> String {
  options.map { o in helpLine("--\(o.name)\(o.value.map { " <\($0)>" } ?? "")", o.help) }.joined(separator: "\n")
}

func printHelp(_ usage: String, _ options: [Option], config: Bool, singleRun: Bool = false) {
  var text = "usage: \(usage)\n\noptions:\n\(optionHelp(options))\n"
  if config {
    text +=
      "\nsettings (SPEC defaults in brackets; also accepted as keys of --config FILE):\n"
      + configHelp(.paper, singleRun: singleRun) + "\n"
  }
  print(text)
}

func studyCommand(_ raw: [String]) throws {
  let args = try Arguments(raw, options: studyOptions, configKeys: true)
  if args.has("help") {
    return printHelp("oneshot study [options]", studyOptions, config: true)
  }
  let config = try resolveConfig(args, base: .paper)
  let options = try runOptions(args, defaultOutput: "results/study")
  printOutcome(try runStudy(config, options), options.output)
}

/// How `study` and `sweep` run: output, jobs, resume/force, shard, quiet.
func runOptions(_ args: Arguments, defaultOutput: String) throws(UsageError) -> RunOptions {
  var options = RunOptions(output: URL(fileURLWithPath: args.last("out") ?? defaultOutput))
  options.jobs = try args.int("jobs", in: 1...4096) ?? options.jobs
  options.resume = args.has("resume")
  options.force = args.has("force")
  if options.resume && options.force { throw UsageError("--resume and --force exclude each other") }
  options.shard = try parseShard(args.last("shard"))
  if args.has("quiet") { options.progress = nil }
  return options
}

let sweepOptions: [Option] =
  [
    Option(
      name: "grid", value: "KEY=V1,V2,…",
      help:
        "sweep a setting over these values (repeat for more keys; join a list's items with +, e.g. methods=darts-good,darts-all+random)"
    ),
    Option(name: "preset", value: "NAME", help: "quick, paper, or sensitivity (alpha-lr × weight-lr, darts-all, 20 trials)"),
    Option(name: "out", value: "DIR", help: "output directory (default: results/sweep)"),
  ] + studyOptions.filter { $0.name != "preset" && $0.name != "out" }

func sweepCommand(_ raw: [String]) throws {
  let args = try Arguments(raw, options: sweepOptions, configKeys: true)
  if args.has("help") {
    return printHelp(
      "oneshot sweep --grid KEY=V1,V2,… [--grid KEY=…]… [options]\n       oneshot sweep --preset sensitivity [options]   "
        + "(the preset brings its own grid: alpha-lr × weight-lr)", sweepOptions, config: true)
  }
  let sweep = try resolveSweep(args)
  guard sweep.isGrid else { throw UsageError("--grid: a sweep needs at least one --grid KEY=V1,V2,...") }
  do {
    let options = try runOptions(args, defaultOutput: "results/sweep")
    printOutcome(try runSweep(sweep, options), options.output)
  } catch let e as ConfigError {
    throw UsageError("--\(e)")
  }
}

/// The sweep that `--preset`, `--config`, the flags and the `--grid`s describe (one cell when
/// there is no grid). Every cell is validated: the base alone may be invalid where every cell
/// is fine.
func resolveSweep(_ args: Arguments) throws(UsageError) -> Sweep {
  let sensitivity = Sweep.sensitivity
  let base = try resolveConfig(
    args, base: .paper, presets: standardPresets + [("sensitivity", sensitivity.base)], validate: false)
  var grid: [GridAxis] = []
  for text in args.all("grid") {
    do { grid.append(try GridAxis.parse(text)) } catch { throw UsageError("--\(error)") }
  }
  // A sweep's own config.json brings its grid back (keys the flags sweep keep the flags').
  for axis in try gridOfConfigFile(args) where !grid.contains(where: { $0.key == axis.key }) { grid.append(axis) }
  if args.last("preset") == "sensitivity" {
    // The preset's axes unless the flags sweep the same key.
    grid += sensitivity.grid.filter { axis in !grid.contains { $0.key == axis.key } }
  }
  do {
    if grid.isEmpty {  // a plain study: one cell
      try base.validate()
      return Sweep(study: base)
    }
    return try Sweep(base: base, grid: grid)
  } catch {
    throw UsageError("--\(error)")
  }
}

/// The axes stored under `grid` in the `--config` file (a sweep's `config.json`), if any.
func gridOfConfigFile(_ args: Arguments) throws(UsageError) -> [GridAxis] {
  guard let (path, json) = try configFile(args), case .object(let axes) = json["grid"] ?? .null else { return [] }
  var out: [GridAxis] = []
  for (key, values) in axes {
    let texts = values.array?.compactMap(\.string) ?? []
    do { out.append(try GridAxis.parse("\(key)=\(texts.joined(separator: ","))")) } catch {
      throw UsageError("--config \(path): grid: \(error)")
    }
  }
  return out
}

/// The table of a finished study or sweep and where its files are; diverged trials are
/// named in one line on stderr (the study itself went on, so the exit code stays 0).
func printOutcome(_ summary: StudySummary, _ dir: URL) {
  print(summary.table, terminator: "")
  print("results: \(dir.path)/results.jsonl, summary: \(dir.path)/summary.json")
  print("report: \(ResultsStore(dir).reportURL.path)")
  let records = (try? ResultsStore(dir).readRecords().records) ?? []
  let diverged = records.filter { $0["diverged"]?.bool == true }
  if let first = diverged.first {
    FileHandle.standardError.write(
      Data(
        ("oneshot: \(diverged.count) of \(records.count) trials diverged (first: \(first["method"]?.string ?? "?") "
          + "trial \(first["trial"]?.int ?? -1), \(divergenceText(first["divergence"]))); they are kept, marked and "
          + "left out of the PSNR statistics\n").utf8))
  }
}

/// A single run that diverged: its record is printed, then one line says where, and the exit
/// code is 1.
func failIfDiverged(_ outcome: JSON, hint: String) throws {
  guard outcome["diverged"]?.bool == true else { return }
  throw StudyError("diverged: \(divergenceText(outcome["divergence"])); \(hint)", exitCode: 1)
}

/// "retrain epoch 0, step 3: train loss not finite".
func divergenceText(_ d: JSON?) -> String {
  guard let d, let phase = d["phase"]?.string else { return "no details" }
  return "\(phase) epoch \(d["epoch"]?.int ?? -1), step \(d["step"]?.int ?? -1): \(d["what"]?.string ?? "?") not finite"
}

func parseShard(_ s: String?) throws(UsageError) -> (k: Int, n: Int)? {
  guard let s else { return nil }
  let parts = s.split(separator: "/")
  guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]) else {
    throw UsageError("--shard: expected K/N, got '\(s)'")
  }
  guard n > 0, k >= 0, k < n else { throw UsageError("--shard: need 0 ≤ K < N, got \(k)/\(n)") }
  return (k, n)
}

let singleOptions: [Option] = [
  Option(name: "problem", value: "blur|downsample", help: "the forward problem (default: blur)"),
  Option(name: "preset", value: "quick|paper", help: "start from a preset's settings (default: paper)"),
  Option(name: "config", value: "FILE", help: "read settings from a JSON file (flags override it)"),
  Option(name: "help", value: nil, help: "show this help"),
]

func problemArgument(_ args: Arguments) throws(UsageError) -> Problem {
  let p = args.last("problem") ?? "blur"
  guard let problem = Problem(rawValue: p) else {
    throw UsageError("--problem: unknown problem '\(p)', expected blur|downsample")
  }
  return problem
}

func searchCommand(_ raw: [String]) throws {
  let options = singleOptions + [Option(name: "ops", value: "all|good", help: "candidate ops (default: all)")]
  let args = try Arguments(raw, options: options, configKeys: true)
  if args.has("help") {
    return printHelp(
      "oneshot search --problem P --ops all|good [--seed S] [settings]\n\nPrints one line of JSON: alpha, "
        + "architecture, oneshot_val_psnr, alpha_history.", options, config: true, singleRun: true)
  }
  let problem = try problemArgument(args)
  let opsName = args.last("ops") ?? "all"
  guard let ops = OpSet(rawValue: opsName) else { throw UsageError("--ops: unknown op set '\(opsName)', expected all|good") }
  let config = try resolveConfig(args, base: .paper, problem: problem)
  let outcome = searchOnce(config, problem: problem, ops: ops)
  print(outcome.serialized)
  try failIfDiverged(outcome, hint: "lower --alpha-lr or --weight-lr")
}

func trainCommand(_ raw: [String]) throws {
  let options = singleOptions + [Option(name: "arch", value: "OP,OP,…", help: "one op per layer, e.g. grad,net,net,grad,net")]
  let args = try Arguments(raw, options: options, configKeys: true)
  if args.has("help") {
    return printHelp(
      "oneshot train --problem P --arch grad,net,net,grad,net [--seed S] [settings]\n\nPrints one line of JSON "
        + "with architecture_psnr. `--config DIR/config.json --seed <a record's seed>` reproduces a study's trial.",
      options, config: true, singleRun: true)
  }
  let problem = try problemArgument(args)
  let config = try resolveConfig(args, base: .paper, problem: problem)
  guard let archText = args.last("arch") else { throw UsageError("--arch is required, e.g. --arch grad,net,net,grad,net") }
  let arch = try parseArchitecture(archText, layers: config.search.layers)
  let outcome = trainOnce(config, problem: problem, architecture: arch)
  print(outcome.serialized)
  try failIfDiverged(outcome, hint: "lower --weight-lr")
}

func parseArchitecture(_ text: String, layers: Int) throws(UsageError) -> [Op] {
  let names = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
  var ops: [Op] = []
  for n in names {
    guard let op = Op(rawValue: n) else {
      throw UsageError("--arch: unknown op '\(n)', expected one of \(Op.allCases.map(\.rawValue).joined(separator: "|"))")
    }
    ops.append(op)
  }
  guard ops.count == layers else { throw UsageError("--arch: expected \(layers) ops (one per layer), got \(ops.count)") }
  return ops
}

func reportCommand(_ raw: [String]) throws {
  let options = [Option(name: "help", value: nil, help: "show this help")]
  let args = try Arguments(raw, options: options, configKeys: false, positional: true)
  if args.has("help") { return printHelp("oneshot report DIR", options, config: false) }
  guard args.positional.count == 1 else { throw UsageError("report needs exactly one study directory") }
  var dir = URL(fileURLWithPath: args.positional[0])
  // `report DIR/results.jsonl` means the study it belongs to.
  if dir.lastPathComponent == "results.jsonl" { dir.deleteLastPathComponent() }
  let store = ResultsStore(dir)
  guard FileManager.default.fileExists(atPath: store.resultsURL.path) else {
    throw UsageError("\(store.resultsURL.path) does not exist")
  }
  // A running study rewrites the report when it ends; one written now would be of a part.
  let lock: DirectoryLock
  do { lock = try DirectoryLock(dir.path) } catch { throw StudyError(error) }
  defer { withExtendedLifetime(lock) {} }
  print(try summarise(store).table, terminator: "")
  print("report: \(store.reportURL.path)")
}

func mergeCommand(_ raw: [String]) throws {
  let options = [
    Option(name: "out", value: "DIR", help: "directory to write the merged study into (new or empty)"),
    Option(name: "force", value: nil, help: "overwrite a non-empty DIR"),
    Option(name: "help", value: nil, help: "show this help"),
  ]
  let args = try Arguments(raw, options: options, configKeys: false, positional: true)
  if args.has("help") { return printHelp("oneshot merge DIR... --out DIR", options, config: false) }
  guard !args.positional.isEmpty else { throw UsageError("merge needs at least one shard directory") }
  guard let out = args.last("out") else { throw UsageError("merge needs --out DIR") }
  let merged = try mergeStudies(
    args.positional.map { URL(fileURLWithPath: $0) }, into: URL(fileURLWithPath: out), force: args.has("force"))
  print(merged.summary.table, terminator: "")
  print("report: \(ResultsStore(URL(fileURLWithPath: out)).reportURL.path)")
  if let planned = merged.planned, merged.merged < planned {
    // Not an error (a partial look at a running study is useful), but never silent.
    FileHandle.standardError.write(
      Data("oneshot: merged \(merged.merged) of the \(planned) planned trials: a shard is missing or unfinished\n".utf8))
  }
}
