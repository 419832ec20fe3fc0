import Autodiff
import Numerics
import XCTest

/// Checks the tape's gradient of `f` against central finite differences, all in Double.
/// `f` records a scalar from the leaves it is given (one per entry of `inputs`).
func checkGradient(
  _ inputs: [(Dims, [Double])], epsilon: Double = 1e-6, tolerance: Double = 1e-6,
  file: StaticString = #filePath, line: UInt = #line,
  _ f: (Tape<Double>, [Variable]) -> Variable
) {
  let tape = Tape<Double>(kernel: .blas)
  let params = inputs.map { ParameterVector<Double, WeightRole>(count: $0.0.count) }
  for (p, (_, v)) in zip(params, inputs) { p.values = v }
  func evaluate() -> Double {
    tape.reset()
    return tape.scalar(f(tape, zip(params, inputs).map { $0.leaf(tape, 0, $1.0) }))
  }
  tape.reset()
  let loss = f(tape, zip(params, inputs).map { $0.leaf(tape, 0, $1.0) })
  XCTAssertTrue(tape.backward(loss), "the loss does not depend on the inputs", file: file, line: line)
  let analytic = params.map(\.gradient)
  for (k, p) in params.enumerated() {
    for i in 0..<p.count {
      let x = p.value[i]
      p.value[i] = x + epsilon
      let up = evaluate()
      p.value[i] = x - epsilon
      let down = evaluate()
      p.value[i] = x
      let numeric = (up - down) / (2 * epsilon)
      let scale = max(1, abs(numeric))
      XCTAssertEqual(
        analytic[k][i], numeric, accuracy: tolerance * scale, "input \(k), entry \(i)", file: file, line: line)
    }
  }
}

func randomValues(_ n: Int, seed: UInt64) -> [Double] {
  var r = RandomStream(seed: seed)
  return (0..<n).map { _ in r.normal() }
}

/// A scalar that depends on every entry of `v`, with distinct weights so errors cannot cancel.
func project(_ t: Tape<Double>, _ v: Variable, seed: UInt64 = 99) -> Variable {
  let d = t.dims(v)
  let target = randomValues(d.count, seed: seed)
  return t.mse(v, target.withUnsafeBufferPointer { t.constant($0.baseAddress!, dims: d) })
}
