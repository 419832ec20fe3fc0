import Foundation

/// Where live status goes.
public enum ProgressSink: Sendable {
  case standardError
}

/// The live status of a running study: one rewritten line on a terminal, a plain line every
/// few seconds otherwise (logs of batch jobs stay readable).
final class Progress: @unchecked Sendable {
  private let lock = NSLock()
  private let total: Int
  private let sink: ProgressSink?
  private let start = Date()
  private let terminal = isatty(STDERR_FILENO) == 1
  private var done = 0, running = 0, diverged = 0
  private var psnrs: [Double] = []
  private var lastPrint = Date.distantPast

  init(total: Int, sink: ProgressSink?) {
    self.total = total
    self.sink = sink
  }

  func started() {
    lock.lock()
    running += 1
    lock.unlock()
  }

  func finished(_ r: TrialRecord) {
    lock.lock()
    defer { lock.unlock() }
    running -= 1
    done += 1
    if r.diverged { diverged += 1 }
    if let p = r.architecturePSNR, p.isFinite { psnrs.append(p) }
    let now = Date()
    if terminal || now.timeIntervalSince(lastPrint) >= 5 || done == total {
      lastPrint = now
      emit(line())
    }
  }

  func close() {
    if sink != nil && terminal && total > 0 { FileHandle.standardError.write(Data("\n".utf8)) }
  }

  private func line() -> String {
    let elapsed = Date().timeIntervalSince(start)
    let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
    let best = psnrs.max().map { String(format: "%.2f", $0) } ?? "—"
    let med = Statistics.median(psnrs).map { String(format: "%.2f", $0) } ?? "—"
    return "\(done)/\(total) done, \(running) running, \(diverged) diverged, "
      + "\(clock(elapsed)) elapsed, ETA \(clock(eta)), best \(best) dB, median \(med) dB"
  }

  private func emit(_ s: String) {
    guard sink != nil else { return }
    FileHandle.standardError.write(Data((terminal ? "\r\u{1B}[K" + s : s + "\n").utf8))
  }

  private func clock(_ s: Double) -> String {
    let t = Int(s.rounded())
    return t >= 3600 ? String(format: "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60) : String(format: "%d:%02d", t / 60, t % 60)
  }
}
