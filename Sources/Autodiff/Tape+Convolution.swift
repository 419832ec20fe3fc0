import Numerics

extension Tape {
  /// "Same" 1-D convolution of `x: [Cin, B, L]` with `w: [Cout, Cin, k]` plus an optional
  /// per-channel `bias: [Cout]`, giving `[Cout, B, L]`, through the tape's kernel (im2col + one
  /// GEMM over the batch, or the direct loops). The bias is written first and the GEMM adds
  /// onto it, so it costs no extra pass; im2col(x) is kept for the weight gradient.
  public func conv1d(_ x: Variable, _ w: Variable, bias: Variable? = nil) -> Variable {
    let xd = dims(x), wd = dims(w)
    precondition(wd.d1 == xd.d0, "conv1d: weight expects \(wd.d1) input channels, input has \(xd.d0)")
    if let bias { precondition(dims(bias).count == wd.d0, "conv1d: bias needs one entry per output channel") }
    let conv = Convolution1D(inChannels: xd.d0, outChannels: wd.d0, width: wd.d2, batch: xd.d1, length: xd.d2)
    let gx = requiresGrad(x), gw = requiresGrad(w), gb = bias.map { requiresGrad($0) } ?? false
    let kernel = self.kernel
    let out = record(Dims(wd.d0, xd.d1, xd.d2), grad: gx || gw || gb)
    let keepCol = gw && kernel == .blas
    let col = keepCol ? record(Dims(1, conv.patch, conv.columns), grad: false) : nil
    let o = value(out), run = conv.columns
    if let bias {
      let b = value(bias)
      for c in 0..<wd.d0 { (o + c * run).update(repeating: b[c], count: run) }
    }
    conv.forward(
      kernel, x: value(x), w: value(w), out: o, col: col.map { value($0) } ?? scratch.buffer(conv.scratchCount),
      accumulate: bias != nil)
    if gx || gw || gb {
      onBackward { t in
        let g = t.grad(out)
        if gw { conv.weightGradientAdd(kernel, x: t.value(x), dout: g, dw: t.grad(w), col: col.map { t.value($0) } ?? t.scratch.buffer(conv.scratchCount), colReady: keepCol) }
        if gb, let bias {
          let db = t.grad(bias)
          for c in 0..<wd.d0 {
            var s: S = 0
            let row = g + c * run
            for i in 0..<run { s += row[i] }
            db[c] += s
          }
        }
        if gx { conv.inputGradientAdd(kernel, w: t.value(w), dout: g, dx: t.grad(x), scratch: t.scratch) }
      }
    }
    return out
  }
}
