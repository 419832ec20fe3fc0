import Numerics

extension Tape {
  /// "Same" 1-D convolution of `x: [Cin, B, L]` with `w: [Cout, Cin, k]`, plus an optional
  /// per-channel `bias: [Cout]` and an optional ReLU, giving `[Cout, B, L]` through the tape's
  /// kernel (im2col + one GEMM over the batch, or the direct loops).
  ///
  /// Bias and ReLU are fused for speed, not composed: the bias is written first and the GEMM
  /// adds onto it, and the ReLU runs in place, its backward masking by the output's sign (which
  /// equals the pre-activation's). Tests check it against `relu(conv1d(x, w) + bias)`.
  public func conv1d(_ x: Variable, _ w: Variable, bias: Variable? = nil, relu: Bool = false) -> Variable {
    let xd = dims(x), wd = dims(w)
    precondition(wd.d1 == xd.d0, "conv1d: weight expects \(wd.d1) input channels, input has \(xd.d0)")
    if let bias { precondition(dims(bias).count == wd.d0, "conv1d: bias needs one entry per output channel") }
    let conv = Convolution1D(inChannels: xd.d0, outChannels: wd.d0, width: wd.d2, batch: xd.d1, length: xd.d2)
    let gx = requiresGrad(x), gw = requiresGrad(w), gb = bias.map { requiresGrad($0) } ?? false
    let kernel = self.kernel
    let out = record(Dims(wd.d0, xd.d1, xd.d2), grad: gx || gw || gb)
    let o = value(out), run = conv.columns, n = wd.d0 * run
    if let bias {
      let b = value(bias)
      for c in 0..<wd.d0 { (o + c * run).update(repeating: b[c], count: run) }
    }
    conv.forward(kernel, x: value(x), w: value(w), out: o, scratch: scratch.buffer(conv.scratchCount), accumulate: bias != nil)
    if relu { VectorKernels.reluInPlace(o, count: n) }
    if gx || gw || gb {
      onBackward(out) { t in
        let g = t.grad(out)
        // This node's gradient is complete and read only here: mask it in place.
        if relu { VectorKernels.keepWherePositive(g, by: t.value(out), count: n) }
        if gb, let bias {
          let db = t.gradForAdding(bias)
          for c in 0..<wd.d0 { db[c] += VectorKernels.sum(g + c * run, count: run) }
        }
        if gx || gw {
          let dx = gx ? t.gradForWriting(x) : nil
          conv.backwardAdd(
            kernel, x: t.value(x), w: t.value(w), dout: g, dw: gw ? t.gradForAdding(w) : nil, dx: dx?.pointer,
            accumulateDx: !(dx?.fresh ?? false), scratch: t.scratch.buffer(conv.scratchCount))
        }
      }
    }
    return out
  }
}
