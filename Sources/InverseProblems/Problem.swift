import Numerics

/// The two forward problems of SPEC §2.
public enum Problem: String, CaseIterable, Codable, Sendable {
  case blur, downsample

  /// The forward operator at the configured sizes.
  public func forwardOperator<S: Scalar>(_ c: ProblemConfig, kernel: ConvolutionKernel = .blas) -> ForwardOperator<S> {
    switch self {
    case .blur:
      return ForwardOperator(
        taps: ForwardOperator<S>.gaussianTaps(sigma: c.blurSigma), stride: 1, length: c.length, kernel: kernel)
    case .downsample:
      return ForwardOperator(
        taps: ForwardOperator<S>.gaussianTaps(sigma: c.antiAliasSigma), stride: c.downsampleFactor,
        length: c.length, kernel: kernel)
    }
  }
}

/// The data-side settings of a study (SPEC §1–2), with the SPEC's defaults.
public struct ProblemConfig: Codable, Equatable, Sendable {
  /// Samples per signal.
  public var length = 128
  public var trainSize = 512
  public var valSize = 512
  public var testSize = 512
  /// Standard deviation of the measurement noise.
  public var noiseSigma = 0.05
  /// Gaussian blur width of the `blur` problem.
  public var blurSigma = 2.0
  /// Anti-alias blur width of the `downsample` problem.
  public var antiAliasSigma = 1.0
  /// Keep every `downsampleFactor`-th sample.
  public var downsampleFactor = 4
  public init() {}
}
