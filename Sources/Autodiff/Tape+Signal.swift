import Numerics

extension Tape {
  /// Circular shift along the last axis: `out[..., n] = x[..., (n − shift) mod L]`.
  public func roll(_ x: Variable, by shift: Int) -> Variable {
    let d = dims(x), gx = requiresGrad(x)
    let out = record(d, grad: gx)
    let l = d.d2, rows = d.d0 * d.d1
    let s = ((shift % l) + l) % l
    let xv = value(x), o = value(out)
    // Per row, two block copies: out[s..<l] = x[0..<l−s], out[0..<s] = x[l−s..<l].
    for r in 0..<rows {
      (o + r * l + s).update(from: xv + r * l, count: l - s)
      (o + r * l).update(from: xv + r * l + l - s, count: s)
    }
    if gx {
      onBackward(out) { t in
        let g = t.grad(out), dx = t.gradForAdding(x)
        for r in 0..<rows {
          let gr = g + r * l, dr = dx + r * l
          for n in 0..<(l - s) { dr[n] += gr[n + s] }
          for n in (l - s)..<l { dr[n] += gr[n + s - l] }
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
