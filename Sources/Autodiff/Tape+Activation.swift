import Numerics

extension Tape {
  /// `max(x, 0)` elementwise (gradient 0 at 0, as PyTorch).
  public func relu(_ x: Variable) -> Variable {
    let d = dims(x), gx = requiresGrad(x)
    let out = record(d, grad: gx)
    let xv = value(x), o = value(out), n = d.count
    o.update(from: xv, count: n)
    VectorKernels.reluInPlace(o, count: n)
    if gx {
      onBackward(out) { t in
        let g = t.grad(out)
        VectorKernels.keepWherePositive(g, by: t.value(out), count: n)  // only this node reads g
        let (dx, fresh) = t.gradForWriting(x)
        if fresh { dx.update(from: g, count: n) } else { for i in 0..<n { dx[i] += g[i] } }
      }
    }
    return out
  }

  /// Softmax over the last axis (each row of `[d0·d1, d2]` separately), shifted by the row
  /// maximum so that large α cannot overflow.
  public func softmax(_ x: Variable) -> Variable {
    let d = dims(x), gx = requiresGrad(x)
    let out = record(d, grad: gx)
    let xv = value(x), o = value(out), w = d.d2, rows = d.d0 * d.d1
    for r in 0..<rows {
      let xr = xv + r * w, orow = o + r * w
      var m = xr[0]
      for i in 1..<w { m = max(m, xr[i]) }
      var s: S = 0
      for i in 0..<w {
        orow[i] = S.exp(xr[i] - m)
        s += orow[i]
      }
      for i in 0..<w { orow[i] /= s }
    }
    if gx {
      onBackward(out) { t in
        let g = t.grad(out), p = t.value(out), dx = t.gradForAdding(x)
        for r in 0..<rows {
          var dot: S = 0
          for i in 0..<w { dot += g[r * w + i] * p[r * w + i] }
          for i in 0..<w { dx[r * w + i] += p[r * w + i] * (g[r * w + i] - dot) }
        }
      }
    }
    return out
  }
}
