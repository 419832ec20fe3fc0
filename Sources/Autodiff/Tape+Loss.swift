import Numerics

extension Tape {
  /// Mean squared error `mean((x − target)²)` over every element: a scalar. Summed in the
  /// tape's scalar type; at SPEC sizes (4096 terms) Float's error is far below the noise level.
  public func mse(_ x: Variable, _ target: Variable) -> Variable {
    let d = dims(x)
    precondition(d == dims(target), "mse: shape mismatch \(d) vs \(dims(target))")
    let gx = requiresGrad(x), gt = requiresGrad(target)
    let out = record(.scalar, grad: gx || gt)
    let xv = value(x), tv = value(target), n = d.count
    var s: S = 0
    for i in 0..<n {
      let e = xv[i] - tv[i]
      s += e * e
    }
    value(out)[0] = s / S(n)
    if gx || gt {
      onBackward(out) { t in
        let c = 2 * t.grad(out)[0] / S(n)
        let xv = t.value(x), tv = t.value(target)
        if gx {
          let (dx, fresh) = t.gradForWriting(x)
          if fresh { for i in 0..<n { dx[i] = c * (xv[i] - tv[i]) } } else { for i in 0..<n { dx[i] += c * (xv[i] - tv[i]) } }
        }
        if gt { let dt = t.gradForAdding(target); for i in 0..<n { dt[i] -= c * (xv[i] - tv[i]) } }
      }
    }
    return out
  }
}
