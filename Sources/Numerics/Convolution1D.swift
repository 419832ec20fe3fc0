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

  /// Rows of the im2col matrix of `dout` that the transposed route uses.
  public var transposedPatch: Int { outChannels * width }
  /// Whether the gradients go through im2col of `dout` (fewer output than input channels,
  /// like the net op's second layer): a far smaller matrix than im2col of the input.
  public var gradientsViaOutput: Bool { outChannels <= inChannels }
  /// Scratch elements the BLAS kernels need: the larger im2col matrix plus two small weight-sized
  /// blocks.
  public var scratchCount: Int { max(patch, transposedPatch) * columns + 2 * outChannels * patch }

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
  /// `scratch` needs `scratchCount` elements.
  @inlinable public func forward<S: Scalar>(
    _ kernel: ConvolutionKernel, x: UnsafePointer<S>, w: UnsafePointer<S>, out: UnsafeMutablePointer<S>,
    scratch: UnsafeMutablePointer<S>, accumulate: Bool = false
  ) {
    switch kernel {
    case .naive: naiveForward(x: x, w: w, out: out, accumulate: accumulate)
    case .blas:
      im2col(x, scratch, channels: inChannels, pad: padLeft)
      gemm(m: outChannels, n: columns, k: patch, a: w, b: scratch, beta: accumulate ? 1 : 0, c: out)
    }
  }

  /// Adds `∂⟨dout, w ∗ x⟩/∂w` to `dw` and `∂⟨dout, w ∗ x⟩/∂x` to `dx` (either may be nil;
  /// `x` is needed only for `dw`). With `accumulateDx: false`, `dx` is overwritten instead, so
  /// its buffer need not be zeroed first.
  ///
  /// With fewer output than input channels both come from one im2col of `dout` with the
  /// flipped padding (the transposed convolution): `dx += W̃ · D` with the flipped weights
  /// `W̃[i, o·k+j] = W[o, i, k−1−j]`, and `dw` from `X · Dᵀ`, un-flipped. Otherwise the classic
  /// pair: `dw += dout · im2col(x)ᵀ` and `dx += col2im(Wᵀ · dout)`. Each is one GEMM over the
  /// whole batch; the choice only decides which im2col matrix is the small one.
  @inlinable public func backwardAdd<S: Scalar>(
    _ kernel: ConvolutionKernel, x: UnsafePointer<S>?, w: UnsafePointer<S>, dout: UnsafePointer<S>,
    dw: UnsafeMutablePointer<S>?, dx: UnsafeMutablePointer<S>?, accumulateDx: Bool = true,
    scratch: UnsafeMutablePointer<S>
  ) {
    if let dx, !accumulateDx, kernel == .naive || !gradientsViaOutput {
      dx.update(repeating: 0, count: inChannels * columns)  // these routes can only add
    }
    if kernel == .naive {
      if let dw { naiveWeightGradientAdd(x: x!, dout: dout, dw: dw) }
      if let dx { naiveInputGradientAdd(w: w, dout: dout, dx: dx) }
      return
    }
    let big = scratch, small = scratch + max(patch, transposedPatch) * columns
    let small2 = small + outChannels * patch
    if gradientsViaOutput {
      im2col(dout, big, channels: outChannels, pad: width - 1 - padLeft)
      if let dw {  // t[i, o·k + j'] = Σₙ x[i, n] · dout[o, n + j' − (k−1−padLeft)], j' = k−1−j
        gemm(transB: true, m: inChannels, n: transposedPatch, k: columns, a: x!, b: big, c: small)
        for o in 0..<outChannels {
          for i in 0..<inChannels {
            for j in 0..<width { dw[(o * inChannels + i) * width + j] += small[i * transposedPatch + o * width + width - 1 - j] }
          }
        }
      }
      if let dx {
        for i in 0..<inChannels {
          for o in 0..<outChannels {
            for j in 0..<width { small2[i * transposedPatch + o * width + j] = w[(o * inChannels + i) * width + width - 1 - j] }
          }
        }
        gemm(m: inChannels, n: columns, k: transposedPatch, a: small2, b: big, beta: accumulateDx ? 1 : 0, c: dx)
      }
    } else {
      if let dw {
        im2col(x!, big, channels: inChannels, pad: padLeft)
        gemm(transB: true, m: outChannels, n: patch, k: columns, a: dout, b: big, beta: 1, c: dw)
      }
      if let dx {
        gemm(transA: true, m: patch, n: columns, k: outChannels, a: w, b: dout, c: big)
        col2imAdd(UnsafePointer(big), dx)
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
