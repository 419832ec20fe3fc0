import Numerics

extension Tape {
  /// `a + b` elementwise.
  public func add(_ a: Variable, _ b: Variable) -> Variable { combine(a, b, sign: 1) }

  /// `a − b` elementwise.
  public func sub(_ a: Variable, _ b: Variable) -> Variable { combine(a, b, sign: -1) }

  private func combine(_ a: Variable, _ b: Variable, sign: S) -> Variable {
    let d = dims(a)
    precondition(d == dims(b), "shape mismatch \(d) vs \(dims(b))")
    let ga = requiresGrad(a), gb = requiresGrad(b)
    let out = record(d, grad: ga || gb)
    let x = value(a), y = value(b), o = value(out), n = d.count
    for i in 0..<n { o[i] = x[i] + sign * y[i] }
    if ga || gb {
      onBackward(out) { t in
        let g = t.grad(out)
        if ga {
          let (dx, fresh) = t.gradForWriting(a)
          if fresh { dx.update(from: g, count: n) } else { for i in 0..<n { dx[i] += g[i] } }
        }
        if gb {
          let (dy, fresh) = t.gradForWriting(b)
          if fresh { for i in 0..<n { dy[i] = sign * g[i] } } else { for i in 0..<n { dy[i] += sign * g[i] } }
        }
      }
    }
    return out
  }

  /// `s[index] · x`: a tensor times one entry of another variable (a learnable step size,
  /// a mixing weight).
  public func scale(_ x: Variable, by s: Variable, at index: Int = 0) -> Variable {
    weightedSum([x], weights: s, offset: index)
  }

  /// `Σₜ w[offset + t] · xₜ`: the supernet's mixture of candidate outputs by their softmax weights.
  public func weightedSum(_ xs: [Variable], weights w: Variable, offset: Int = 0) -> Variable {
    let d = dims(xs[0])
    precondition(xs.allSatisfy { dims($0) == d }, "weightedSum needs equal shapes")
    precondition(offset + xs.count <= dims(w).count, "not enough weights")
    let gw = requiresGrad(w)
    let gx = xs.map { requiresGrad($0) }
    let anyGrad = gw || gx.contains(true)
    let out = record(d, grad: anyGrad)
    let o = value(out), wv = value(w), n = d.count
    o.update(repeating: 0, count: n)
    for (t, x) in xs.enumerated() {
      let xv = value(x), c = wv[offset + t]
      for i in 0..<n { o[i] += c * xv[i] }
    }
    if anyGrad {
      onBackward(out) { t in
        let g = t.grad(out), wv = t.value(w)
        for (k, x) in xs.enumerated() {
          if gw { t.gradForAdding(w)[offset + k] += VectorKernels.dot(t.value(x), g, count: n) }
          if gx[k] {
            let (dx, fresh) = t.gradForWriting(x)
            let c = wv[offset + k]
            if fresh { for i in 0..<n { dx[i] = c * g[i] } } else { for i in 0..<n { dx[i] += c * g[i] } }
          }
        }
      }
    }
    return out
  }
}
