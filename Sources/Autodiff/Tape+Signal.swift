import Numerics

extension Tape {
  /// Circular shift along the last axis: `out[..., n] = x[..., (n − shift) mod L]`.
  public func roll(_ x: Variable, by shift: Int) -> Variable {
    let d = dims(x), gx = requiresGrad(x)
    let out = record(d, grad: gx)
    let l = d.d2, rows = d.d0 * d.d1
    let s = ((shift % l) + l) % l
    let xv = value(x), o = value(out)
    for r in 0..<rows {
      for n in 0..<l { o[r * l + (n + s) % l] = xv[r * l + n] }
    }
    if gx {
      onBackward { t in
        let g = t.grad(out), dx = t.grad(x)
        for r in 0..<rows {
          for n in 0..<l { dx[r * l + n] += g[r * l + (n + s) % l] }
        }
      }
    }
    return out
  }

  /// Fresh standard normal noise of shape `d`, drawn from `stream`. It replaces its input, so no
  /// gradient flows through it.
  public func noise(_ d: Dims, from stream: inout RandomStream) -> Variable {
    let out = record(d, grad: false)
    let o = value(out)
    for i in 0..<d.count { o[i] = S(stream.normal()) }
    return out
  }
}
