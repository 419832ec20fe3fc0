import Foundation

/// What a merge produced: the summary, and how many of the plan's trials it holds (fewer when
/// a shard was left out or is unfinished: `planned` is nil if the configuration does not say).
public struct MergeOutcome {
  public var summary: StudySummary
  public var merged: Int
  public var planned: Int?
}

/// Combines the shard directories of one study or sweep into `output`: the configurations
/// must agree (same hash) and no trial may appear twice. Records are written in plan order.
public func mergeStudies(_ inputs: [URL], into output: URL, force: Bool) throws(StudyError) -> MergeOutcome {
  var hash: String? = nil
  var provenance: JSON = .null
  var byIndex: [Int: (JSON, String)] = [:]
  var provenances: [JSON] = []
  for dir in inputs {
    let store = ResultsStore(dir)
    guard let config = store.provenance(), let h = config["config_hash"]?.string
    else { throw StudyError("\(dir.path) is not a oneshot study directory (no readable config.json)", exitCode: 65) }
    if let hash, hash != h {
      let differing = configDifferences(provenance, config).filter { $0 != "shard" }
      throw StudyError("\(dir.path) was run with different settings: \(differing.joined(separator: ", "))", exitCode: 65)
    }
    hash = h
    provenance = config
    provenances.append(config)
    let records: [JSON]
    do { records = try studyRecords(store, provenance: config).records } catch { throw StudyError(error) }
    for r in records {
      let i = r["index"]!.int!
      if let (_, other) = byIndex[i] {
        let what = "\(r["method"]?.string ?? "?") on \(r["problem"]?.string ?? "?"), trial \(r["trial"]?.int ?? -1)"
        throw StudyError("plan index \(i) (\(what)) appears twice (in \(other) and \(dir.path))", exitCode: 65)
      }
      byIndex[i] = (r, dir.path)
    }
  }
  warnIfKernelsDiffer(provenances, what: "merging shards run")
  var options = RunOptions(output: output)
  options.force = force
  options.restartHint = "pass --force to overwrite it"
  let out = ResultsStore(output)
  guard case .object(var kv) = provenance else { throw StudyError("no input directories", exitCode: 64) }
  kv = kv.map { $0.0 == "shard" ? ("shard", .null) : $0 }
  kv.append(("merged_from", .array(inputs.map { .string($0.path) })))
  let lock: DirectoryLock
  do throws(StoreError) {
    var merged = withOpenBLASCores(.object(kv), of: provenances)
    lock = try prepareDirectory(out, provenance: &merged, options: options)
    try out.writeAtomically("config.json", merged.pretty)
    let lines = byIndex.keys.sorted().map { byIndex[$0]!.0.serialized + "\n" }.joined()
    try out.writeAtomically("results.jsonl", lines)
  } catch {
    throw StudyError(error)
  }
  defer { withExtendedLifetime(lock) {} }
  return MergeOutcome(summary: try summarise(out), merged: byIndex.count, planned: provenance["planned_trials"]?.int)
}
