import Numerics

extension Tape {
  /// "Same" 1-D convolution of `x: [Cin, B, L]` with `w: [Cout, Cin, k]`, giving `[Cout, B, L]`,
  /// through the tape's kernel (im2col + one GEMM over the batch, or the direct loops).
  public func conv1d(_ x: Variable, _ w: Variable) -> Variable {
    let xd = dims(x), wd = dims(w)
    precondition(wd.d1 == xd.d0, "conv1d: weight expects \(wd.d1) input channels, input has \(xd.d0)")
    let conv = Convolution1D(inChannels: xd.d0, outChannels: wd.d0, width: wd.d2, batch: xd.d1, length: xd.d2)
    let gx = requiresGrad(x), gw = requiresGrad(w)
    let out = record(Dims(wd.d0, xd.d1, xd.d2), grad: gx || gw)
    conv.forward(kernel, x: value(x), w: value(w), out: value(out), scratch: scratch)
    if gx || gw {
      onBackward { t in
        if gw { conv.weightGradientAdd(t.kernel, x: t.value(x), dout: t.grad(out), dw: t.grad(w), scratch: t.scratch) }
        if gx { conv.inputGradientAdd(t.kernel, w: t.value(w), dout: t.grad(out), dx: t.grad(x), scratch: t.scratch) }
      }
    }
    return out
  }

  /// `x[c, b, l] + bias[c]`: a per-channel bias on `[C, B, L]`.
  public func addChannelBias(_ x: Variable, _ bias: Variable) -> Variable {
    let d = dims(x)
    precondition(dims(bias).count == d.d0, "bias needs one entry per channel")
    let gx = requiresGrad(x), gb = requiresGrad(bias)
    let out = record(d, grad: gx || gb)
    let xv = value(x), bv = value(bias), o = value(out), run = d.d1 * d.d2
    for c in 0..<d.d0 {
      let b = bv[c]
      for i in (c * run)..<((c + 1) * run) { o[i] = xv[i] + b }
    }
    if gx || gb {
      onBackward { t in
        let g = t.grad(out)
        if gx { let dx = t.grad(x); for i in 0..<d.count { dx[i] += g[i] } }
        if gb {
          let db = t.grad(bias)
          for c in 0..<d.d0 {
            var s: S = 0
            for i in (c * run)..<((c + 1) * run) { s += g[i] }
            db[c] += s
          }
        }
      }
    }
    return out
  }
}
