import Dispatch
import Foundation
import Numerics

/// Runs trials on `jobs` Dispatch workers. Each worker takes the next trial from a shared
/// counter, computes it with nothing shared but read-only data, and hands the record to
/// `deliver`, which is called on one thread at a time (the single results writer). OpenBLAS
/// is pinned to one thread so that parallelism comes from trials, not from inside GEMMs.
public enum Scheduler {
  public static func run(
    _ specs: [TrialSpec], jobs: Int,
    work: @escaping @Sendable (TrialSpec) -> TrialRecord,
    deliver: @escaping @Sendable (TrialRecord) -> Void
  ) {
    BLAS.setThreads(1)
    let state = Shared()
    let group = DispatchGroup()
    for _ in 0..<max(1, min(jobs, specs.count)) {
      DispatchQueue.global().async(group: group) {
        while let i = state.next(limit: specs.count) {
          let r = work(specs[i])
          state.serialized { deliver(r) }
        }
      }
    }
    group.wait()
  }

  /// The next-trial counter and the writer's lock.
  private final class Shared: @unchecked Sendable {
    private let lock = NSLock()
    private let writer = NSLock()
    private var cursor = 0
    func next(limit: Int) -> Int? {
      lock.lock()
      defer { lock.unlock() }
      guard cursor < limit else { return nil }
      cursor += 1
      return cursor - 1
    }
    func serialized(_ f: () -> Void) {
      writer.lock()
      f()
      writer.unlock()
    }
  }
}
