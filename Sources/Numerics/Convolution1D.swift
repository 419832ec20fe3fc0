/// Shape of a 1-D "same" convolution with zero padding over a batch.
///
/// Layout is channel-major, `[channels, batch, length]`, so that im2col's columns run over the
/// whole batch (`batch · length` of them) and each of forward, weight gradient and input
/// gradient is a single GEMM. A single-channel batch `[batch, length]` is already in this
/// layout. Weights are `[outChannels, inChannels, width]`; like every deep-learning
/// "convolution" this is a correlation: `out[o,b,t] = Σ w[o,i,j] · x[i,b,t+j-padLeft]`.
public struct Convolution1D: Sendable, Equatable {
  public var inChannels: Int
  public var outChannels: Int
  public var width: Int
  public var batch: Int
  public var length: Int

  /// Creates the shape; `width` may exceed `length` (the padding covers it).
  public init(inChannels: Int, outChannels: Int, width: Int, batch: Int, length: Int) {
    self.inChannels = inChannels
    self.outChannels = outChannels
    self.width = width
    self.batch = batch
    self.length = length
  }

  /// Zeros on the left; an even width puts the extra zero on the right.
  public var padLeft: Int { (width - 1) / 2 }
  /// Rows of the im2col matrix.
  public var patch: Int { inChannels * width }
  /// Columns of the im2col matrix.
  public var columns: Int { batch * length }
  /// Floating-point operations of one forward pass (each of the gradients costs the same).
  public var flops: Double { 2 * Double(outChannels) * Double(patch) * Double(columns) }

  // MARK: im2col + GEMM

  /// Rows of the im2col matrix of the transposed convolution (the input gradient's route when
  /// it is the cheaper one).
  public var transposedPatch: Int { outChannels * width }
  /// Scratch elements the BLAS kernels need: the larger im2col matrix plus the flipped weights.
  public var scratchCount: Int { max(patch, transposedPatch) * columns + outChannels * patch }

  /// `col[i·width + j, b·length + t] = x[i, b, t + j − pad]`, zero outside the signal, for
  /// `channels` input channels.
  @inlinable public func im2col<S: Scalar>(
    _ x: UnsafePointer<S>, _ col: UnsafeMutablePointer<S>, channels: Int, pad: Int
  ) {
    let n = columns
    for i in 0..<channels {
      for j in 0..<width {
        let row = col + (i * width + j) * n
        let shift = j - pad
        let lo = Swift.max(0, -shift)
        let hi = Swift.min(length, length - shift)
        for b in 0..<batch {
          let src = x + (i * batch + b) * length
          let dst = row + b * length
          if hi <= lo {
            dst.update(repeating: 0, count: length)
            continue
          }
          if lo > 0 { dst.update(repeating: 0, count: lo) }
          (dst + lo).update(from: src + lo + shift, count: hi - lo)
          if hi < length { (dst + hi).update(repeating: 0, count: length - hi) }
        }
      }
    }
  }

  /// `out = w ∗ x`, or `out += w ∗ x` with `accumulate` (how a preset bias is added for free).
  /// The BLAS path leaves im2col(x) in `col` (`patch · columns` elements), which
  /// `weightGradientAdd` can reuse.
  @inlinable public func forward<S: Scalar>(
    _ kernel: ConvolutionKernel, x: UnsafePointer<S>, w: UnsafePointer<S>, out: UnsafeMutablePointer<S>,
    col: UnsafeMutablePointer<S>, accumulate: Bool = false
  ) {
    switch kernel {
    case .naive: naiveForward(x: x, w: w, out: out, accumulate: accumulate)
    case .blas:
      im2col(x, col, channels: inChannels, pad: padLeft)
      gemm(m: outChannels, n: columns, k: patch, a: w, b: col, beta: accumulate ? 1 : 0, c: out)
    }
  }

  /// `dw += ∂⟨dout, w ∗ x⟩/∂w`. With `colReady`, `col` already holds im2col(x) from `forward`.
  @inlinable public func weightGradientAdd<S: Scalar>(
    _ kernel: ConvolutionKernel, x: UnsafePointer<S>, dout: UnsafePointer<S>, dw: UnsafeMutablePointer<S>,
    col: UnsafeMutablePointer<S>, colReady: Bool = false
  ) {
    switch kernel {
    case .naive: naiveWeightGradientAdd(x: x, dout: dout, dw: dw)
    case .blas:
      if !colReady { im2col(x, col, channels: inChannels, pad: padLeft) }
      gemm(transB: true, m: outChannels, n: patch, k: columns, a: dout, b: col, beta: 1, c: dw)
    }
  }

  /// `dx += ∂⟨dout, w ∗ x⟩/∂x`. Two GEMM routes, whichever moves less memory: with fewer output
  /// than input channels, the transposed convolution (im2col of `dout`, flipped weights, one
  /// GEMM accumulating straight into `dx`); otherwise `Wᵀ · dout` and col2im.
  @inlinable public func inputGradientAdd<S: Scalar>(
    _ kernel: ConvolutionKernel, w: UnsafePointer<S>, dout: UnsafePointer<S>, dx: UnsafeMutablePointer<S>,
    scratch: Scratch<S>
  ) {
    switch kernel {
    case .naive: naiveInputGradientAdd(w: w, dout: dout, dx: dx)
    case .blas:
      let buffer = scratch.buffer(scratchCount)
      if outChannels <= inChannels {
        // dx[i, t] += Σ_o Σ_j W[o, i, k−1−j] · dout[o, t + j − (k−1−padLeft)]
        let col = buffer, flipped = buffer + transposedPatch * columns
        im2col(dout, col, channels: outChannels, pad: width - 1 - padLeft)
        for i in 0..<inChannels {
          for o in 0..<outChannels {
            for j in 0..<width { flipped[i * transposedPatch + o * width + j] = w[(o * inChannels + i) * width + width - 1 - j] }
          }
        }
        gemm(m: inChannels, n: columns, k: transposedPatch, a: flipped, b: col, beta: 1, c: dx)
      } else {
        gemm(transA: true, m: patch, n: columns, k: outChannels, a: w, b: dout, c: buffer)
        col2imAdd(UnsafePointer(buffer), dx)
      }
    }
  }

  /// The adjoint of `im2col` (input channels, forward padding): adds each column entry back
  /// onto the sample it came from.
  @inlinable public func col2imAdd<S: Scalar>(_ col: UnsafePointer<S>, _ dx: UnsafeMutablePointer<S>) {
    let n = columns
    for i in 0..<inChannels {
      for j in 0..<width {
        let row = col + (i * width + j) * n
        let shift = j - padLeft
        let lo = Swift.max(0, -shift)
        let hi = Swift.min(length, length - shift)
        if hi <= lo { continue }
        for b in 0..<batch {
          let src = row + b * length
          let dst = dx + (i * batch + b) * length + shift
          for t in lo..<hi { dst[t] += src[t] }
        }
      }
    }
  }

  // MARK: direct loops (the reference kernels)

  @inlinable func naiveForward<S: Scalar>(
    x: UnsafePointer<S>, w: UnsafePointer<S>, out: UnsafeMutablePointer<S>, accumulate: Bool
  ) {
    for o in 0..<outChannels {
      for b in 0..<batch {
        for t in 0..<length {
          var s: S = 0
          for i in 0..<inChannels {
            for j in 0..<width {
              let u = t + j - padLeft
              if u >= 0 && u < length { s += w[(o * inChannels + i) * width + j] * x[(i * batch + b) * length + u] }
            }
          }
          out[(o * batch + b) * length + t] = accumulate ? out[(o * batch + b) * length + t] + s : s
        }
      }
    }
  }

  @inlinable func naiveWeightGradientAdd<S: Scalar>(x: UnsafePointer<S>, dout: UnsafePointer<S>, dw: UnsafeMutablePointer<S>) {
    for o in 0..<outChannels {
      for i in 0..<inChannels {
        for j in 0..<width {
          var s: S = 0
          for b in 0..<batch {
            for t in 0..<length {
              let u = t + j - padLeft
              if u >= 0 && u < length { s += dout[(o * batch + b) * length + t] * x[(i * batch + b) * length + u] }
            }
          }
          dw[(o * inChannels + i) * width + j] += s
        }
      }
    }
  }

  @inlinable func naiveInputGradientAdd<S: Scalar>(w: UnsafePointer<S>, dout: UnsafePointer<S>, dx: UnsafeMutablePointer<S>) {
    for o in 0..<outChannels {
      for b in 0..<batch {
        for t in 0..<length {
          let g = dout[(o * batch + b) * length + t]
          for i in 0..<inChannels {
            for j in 0..<width {
              let u = t + j - padLeft
              if u >= 0 && u < length { dx[(i * batch + b) * length + u] += w[(o * inChannels + i) * width + j] * g }
            }
          }
        }
      }
    }
  }
}
