import Foundation
import Numerics
import Study

// Thin by design: each command turns flags into a configuration and calls one function of
// the Study layer. Every failure is one line on stderr and a non-zero exit code.

let commands: [(name: String, summary: String, run: ([String]) throws -> Void)] = [
  ("study", "run the whole study (methods × problems × trials) and print Table 1", studyCommand),
  ("sweep", "run a study for every combination of --grid values and report the sensitivity", sweepCommand),
  ("search", "run one DARTS search and print its alpha, architecture and one-shot PSNR", searchCommand),
  ("train", "retrain one architecture from scratch and print its architecture PSNR", trainCommand),
  ("report", "recompute the table, summary.json and report.md (with SVG figures) of a study directory", reportCommand),
  ("merge", "combine shard directories of one study into one directory", mergeCommand),
  ("slurm", "submit a study to Slurm as an array of shards plus a merge job", slurmCommand),
]

@MainActor func topHelp() -> String {
  """
  oneshot — DARTS studies on 1D inverse problems, and whether the one-shot score predicts
  the retrained architecture.

  usage: oneshot <command> [options]     (oneshot <command> --help for its options)

  commands:
  \(commands.map { "  " + $0.name.padding(toLength: 9, withPad: " ", startingAt: 0) + $0.summary }.joined(separator: "\n"))
    help CMD the options of one command (as `oneshot CMD --help`)

  """
}

func fail(_ message: String, code: Int32) -> Never {
  FileHandle.standardError.write(Data("oneshot: \(message)\n".utf8))
  exit(code)
}

BLAS.reexecuteSingleThreaded()

let argv = Array(CommandLine.arguments.dropFirst())
guard var first = argv.first else {
  fail("no command given (\(commands.map(\.name).joined(separator: ", ")); see oneshot --help)", code: 64)
}
var rest = Array(argv.dropFirst())
if first == "help", let named = rest.first {  // `oneshot help study` = `oneshot study --help`
  first = named
  rest = ["--help"]
} else if first == "--help" || first == "-h" || first == "help" {
  print(topHelp(), terminator: "")
  exit(0)
}
if first == "--version" {
  print("oneshot \(oneshotVersion)")
  exit(0)
}
guard let command = commands.first(where: { $0.name == first }) else {
  fail("unknown command '\(first)' (commands: \(commands.map(\.name).joined(separator: ", ")))", code: 64)
}
do {
  try command.run(rest)
} catch let e as UsageError {
  fail(e.message, code: 64)
} catch let e as StudyError {
  fail(e.description, code: e.exitCode)
} catch {
  fail("\(error)", code: 1)
}
