/// The poster's Table 1 (SPEC §9): architecture validation PSNR over 100 trials, to compare
/// the pattern against (its data and sizes differ from ours, so absolute numbers will too).
public enum Poster {
  /// Max, mean and median PSNR (dB) of one row of the poster's Table 1.
  public struct Row: Sendable {
    public var max: Double
    public var mean: Double
    public var median: Double
  }

  /// The row of `method` on `problem`, if the poster has one.
  public static func table1(method: String, problem: String) -> Row? {
    switch (method, problem) {
    case ("darts-good", "blur"): return Row(max: 23.46, mean: 21.56, median: 21.60)
    case ("darts-good", "downsample"): return Row(max: 18.03, mean: 16.36, median: 16.66)
    case ("darts-all", "blur"): return Row(max: 22.86, mean: 15.64, median: 18.57)
    case ("darts-all", "downsample"): return Row(max: 18.01, mean: 15.39, median: 16.12)
    case ("random", "blur"): return Row(max: 20.86, mean: 9.45, median: 8.10)
    case ("random", "downsample"): return Row(max: 13.78, mean: 5.08, median: 4.31)
    case ("grad-only", "blur"): return Row(max: 17.45, mean: 16.36, median: 16.49)
    case ("grad-only", "downsample"): return Row(max: 14.35, mean: 13.24, median: 13.55)
    case ("nets-only", "blur"): return Row(max: 21.63, mean: 19.45, median: 20.71)
    case ("nets-only", "downsample"): return Row(max: 16.92, mean: 13.13, median: 14.05)
    default: return nil
    }
  }
}
