/// Settings of the supernet, the search and the retraining (SPEC §3–6), with the SPEC's
/// defaults. Every field can be set from the command line or a config file.
public struct SearchConfig: Codable, Equatable, Sendable {
  /// Layers `N` of the chain.
  public var layers = 5
  /// Hidden channels `C` of the `net` op.
  public var channels = 16
  /// Convolution width `k` of the `net` op.
  public var kernelWidth = 5
  /// Shift of the `roll` op.
  public var rollShift = 8
  /// Initial step size τ of the `grad` op.
  public var stepInit = 1.0
  /// Scale applied to the `net` op's second convolution at initialisation.
  public var netOutputScale = 0.1
  /// Standard deviation of α's initialisation.
  public var alphaInitScale = 1e-3
  /// Minibatch size for both splits.
  public var batchSize = 32
  /// Weight learning rate (peak of the cosine schedule).
  public var weightLR = 1e-3
  public var weightBeta1 = 0.9
  public var weightBeta2 = 0.999
  /// Gradient-norm clip on the weights (not α).
  public var gradientClip = 5.0
  /// α learning rate.
  public var alphaLR = 3e-3
  public var alphaBeta1 = 0.5
  public var alphaBeta2 = 0.999
  /// Coupled L2 decay on α, as DARTS.
  public var alphaWeightDecay = 1e-3
  /// Epochs of the search and of the retraining.
  public var searchEpochs = 30
  public var retrainEpochs = 60
  /// First-order DARTS or the one-step unrolled second-order approximation.
  public var order = Order.first
  /// Signals per forward pass when evaluating a whole split (memory, not results).
  public var evalBatch = 128

  /// Which α gradient the architect follows.
  public enum Order: String, Codable, Sendable, CaseIterable { case first, second }

  public init() {}
}
