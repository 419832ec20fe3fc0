import Autodiff
import Foundation
import Numerics

/// `A = S ∘ B`: a "same" zero-padded Gaussian blur followed by keeping every `stride`-th sample
/// (stride 1 is the plain blur). The adjoint is computed as the transposed correlation, not by
/// assuming the kernel is symmetric, so it stays right for any taps.
public struct ForwardOperator<S: Scalar>: LinearMap {
  /// Blur taps, applied as a correlation: `(Bx)[t] = Σⱼ taps[j] · x[t + j − padLeft]`.
  public let taps: [S]
  /// Keep every `stride`-th sample, starting at 0.
  public let stride: Int
  /// Signal length `L`.
  public let length: Int
  /// Kernel for the blur's convolution.
  public let kernel: ConvolutionKernel

  public init(taps: [S], stride: Int, length: Int, kernel: ConvolutionKernel = .blas) {
    precondition(stride >= 1 && length % stride == 0, "stride must divide the length")
    self.taps = taps
    self.stride = stride
    self.length = length
    self.kernel = kernel
  }

  /// The normalised Gaussian of standard deviation `sigma`, width `2⌈3σ⌉ + 1`.
  public static func gaussianTaps(sigma: Double) -> [S] {
    let half = Int((3 * sigma).rounded(.up))
    let raw = (-half...half).map { Foundation.exp(-0.5 * pow(Double($0) / sigma, 2)) }
    let total = raw.reduce(0, +)
    return raw.map { S($0 / total) }
  }

  public var inputLength: Int { length }
  public var outputLength: Int { length / stride }

  private func conv(_ batch: Int) -> Convolution1D {
    Convolution1D(inChannels: 1, outChannels: 1, width: taps.count, batch: batch, length: length)
  }

  public func apply(_ x: UnsafePointer<S>, _ out: UnsafeMutablePointer<S>, batch: Int, scratch: Scratch<S>) {
    taps.withUnsafeBufferPointer { w in
      let c = conv(batch)
      if stride == 1 {
        c.forward(kernel, x: x, w: w.baseAddress!, out: out, scratch: scratch.buffer(c.scratchCount))
        return
      }
      // Blur into the scratch space past im2col's region, then subsample.
      let col = scratch.buffer(c.scratchCount + batch * length)
      let blurred = col + c.scratchCount
      c.forward(kernel, x: x, w: w.baseAddress!, out: blurred, scratch: col)
      let m = outputLength
      for b in 0..<batch {
        for i in 0..<m { out[b * m + i] = blurred[b * length + i * stride] }
      }
    }
  }

  public func adjoint(_ y: UnsafePointer<S>, _ out: UnsafeMutablePointer<S>, batch: Int, scratch: Scratch<S>) {
    out.update(repeating: 0, count: batch * length)
    taps.withUnsafeBufferPointer { w in
      let c = conv(batch)
      if stride == 1 {
        c.backwardAdd(kernel, x: nil, w: w.baseAddress!, dout: y, dw: nil, dx: out, scratch: scratch.buffer(c.scratchCount))
        return
      }
      // Sᵀ inserts zeros between the samples; then Bᵀ.
      let up = scratch.buffer(c.scratchCount + batch * length) + c.scratchCount
      up.update(repeating: 0, count: batch * length)
      let m = outputLength
      for b in 0..<batch {
        for i in 0..<m { up[b * length + i * stride] = y[b * m + i] }
      }
      c.backwardAdd(kernel, x: nil, w: w.baseAddress!, dout: up, dw: nil, dx: out, scratch: scratch.buffer(c.scratchCount))
    }
  }
}
