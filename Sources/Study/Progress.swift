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
  private var timer: DispatchSourceTimer?
  private var closed = false

  init(total: Int, sink: ProgressSink?) {
    self.total = total
    self.sink = sink
    guard sink != nil, total > 0 else { return }
    // A trial can take minutes: the clock keeps elapsed and ETA moving between finishes (every
    // second on a terminal, every 5 s in a log).
    let t = DispatchSource.makeTimerSource(queue: .global(qos: .utility))
    let period = terminal ? 1.0 : 5.0
    t.schedule(deadline: .now() + period, repeating: period)
    t.setEventHandler { [weak self] in self?.tick() }
    t.resume()
    timer = t
  }

  func started() {
    lock.lock()
    running += 1
    lock.unlock()
  }

  private func tick() {
    lock.lock()
    defer { lock.unlock() }
    let now = Date()
    if !closed && (terminal || now.timeIntervalSince(lastPrint) >= 4.5) {
      lastPrint = now
      emit(line())
    }
  }

  func finished(_ r: TrialRecord) {
    lock.lock()
    defer { lock.unlock() }
    running -= 1
    done += 1
    if r.diverged { diverged += 1 }
    if let p = r.architecturePSNR, p.isFinite { psnrs.append(p) }
    // In a log the clock prints every 5 s: a line here, between this trial's end and the
    // next one's start, would understate the trials running.
    if terminal || done == total {
      lastPrint = Date()
      emit(line())
    }
  }

  func close() {
    timer?.cancel()
    lock.lock()
    defer { lock.unlock() }
    closed = true  // a tick already in flight must not print after the final newline
    if sink != nil && terminal && total > 0 { FileHandle.standardError.write(Data("\n".utf8)) }
  }

  private func line() -> String {
    let elapsed = Date().timeIntervalSince(start)
    let eta = done > 0 ? clock(elapsed / Double(done) * Double(total - done)) : "—"
    let best = psnrs.max().map { String(format: "%.2f", $0) } ?? "—"
    let med = Statistics.median(psnrs).map { String(format: "%.2f", $0) } ?? "—"
    let full =
      "\(done)/\(total) done, \(running) running, \(diverged) diverged, "
      + "\(clock(elapsed)) elapsed, ETA \(eta), best \(best) dB, median \(med) dB"
    guard terminal, full.count >= terminalWidth() else { return full }
    // An 80-column terminal: the same fields in short words, so the medians stay on screen.
    return "\(done)/\(total), \(running) run, \(diverged) div, \(clock(elapsed)), ETA \(eta), best \(best), med \(med) dB"
  }

  private func emit(_ s: String) {
    guard sink != nil else { return }
    // A line wider than the terminal would wrap, and "\r" would then rewrite only its tail.
    let fitted = terminal ? String(s.prefix(Swift.max(20, terminalWidth() - 1))) : s
    FileHandle.standardError.write(Data((terminal ? "\r\u{1B}[K" + fitted : s + "\n").utf8))
  }

  private func terminalWidth() -> Int {
    var size = winsize()
    return ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 ? Int(size.ws_col) : 80
  }

  private func clock(_ s: Double) -> String {
    let t = Int(s.rounded())
    return t >= 3600 ? String(format: "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60) : String(format: "%d:%02d", t / 60, t % 60)
  }
}
