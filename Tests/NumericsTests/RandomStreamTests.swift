import Numerics
import XCTest

final class RandomStreamTests: XCTestCase {
  func testTheSameSeedGivesTheSameStream() {
    var a = RandomStream(seed: 42), b = RandomStream(seed: 42)
    XCTAssertEqual((0..<100).map { _ in a.next() }, (0..<100).map { _ in b.next() })
  }

  func testNamedStreamsOfOneSeedDiffer() {
    var a = RandomStream(seed: 42, stream: "init"), b = RandomStream(seed: 42, stream: "noise")
    XCTAssertNotEqual(a.next(), b.next())
  }

  func testUniformAndNormalHaveTheirMoments() {
    var r = RandomStream(seed: 7)
    let n = 100_000
    let u = (0..<n).map { _ in r.uniform() }
    let z = (0..<n).map { _ in r.normal() }
    XCTAssertEqual(u.reduce(0, +) / Double(n), 0.5, accuracy: 0.01)
    XCTAssertTrue(u.allSatisfy { $0 >= 0 && $0 < 1 })
    let mean = z.reduce(0, +) / Double(n)
    let variance = z.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
    XCTAssertEqual(mean, 0, accuracy: 0.02)
    XCTAssertEqual(variance, 1, accuracy: 0.02)
  }

  func testNormalHasTheTailsAndKurtosisOfTheGaussian() {
    var r = RandomStream(seed: 8)
    let n = 400_000
    let z = (0..<n).map { _ in r.normal() }
    let m4 = z.reduce(0) { $0 + $1 * $1 * $1 * $1 } / Double(n)
    XCTAssertEqual(m4, 3, accuracy: 0.05)
    // P(|Z| > 1) = 0.3173, P(|Z| > 3) = 0.0027, P(|Z| > 3.5) = 4.65e-4 (beyond the ziggurat's base).
    for (c, p) in [(1.0, 0.31731), (3.0, 0.0026998), (3.5, 4.6525e-4)] {
      let share = Double(z.filter { abs($0) > c }.count) / Double(n)
      XCTAssertEqual(share, p, accuracy: 4 * (p * (1 - p) / Double(n)).squareRoot() + 1e-5, "P(|Z| > \(c))")
    }
    XCTAssertGreaterThan(z.filter { $0 > 0 }.count, n / 2 - 2_000)
  }

  func testPermutationContainsEveryIndexOnce() {
    var r = RandomStream(seed: 9)
    var p: [Int] = []
    r.permutation(37, into: &p)
    XCTAssertEqual(p.sorted(), Array(0..<37))
    XCTAssertNotEqual(p, Array(0..<37))
  }

  func testSeedDerivationIsOrderSensitiveAndStable() {
    XCTAssertNotEqual(deriveSeed(1, 2), deriveSeed(2, 1))
    XCTAssertEqual(splitMix64(0), 0xE220_A839_7B1D_CDAF)  // SplitMix64's published first output for state 0
  }
}

final class VectorKernelTests: XCTestCase {
  func testBitMaskReluEqualsTheDefinitionIncludingSignedZeroAndOddCounts() {
    var r = RandomStream(seed: 5)
    for n in [0, 1, 7, 8, 9, 33] {
      var f = (0..<n).map { _ in Float(r.normal()) }
      if n > 2 { f[1] = -0.0; f[2] = 0 }
      var d = f.map(Double.init)
      let expected = f.map { $0 > 0 ? $0 : 0 }
      VectorKernels.reluInPlace(&f, count: n)
      VectorKernels.reluInPlace(&d, count: n)
      XCTAssertEqual(f.map(\.bitPattern), expected.map(\.bitPattern))
      XCTAssertEqual(d, expected.map(Double.init))
      var g = (0..<n).map { _ in Float(r.normal()) }
      let kept = zip(g, f).map { $1 > 0 ? $0 : 0 }
      VectorKernels.keepWherePositive(&g, by: f, count: n)
      XCTAssertEqual(g, kept)
    }
  }

  func testLaneSumsAndDotsEqualTheSerialOnesToRounding() {
    var r = RandomStream(seed: 6)
    let x = (0..<37).map { _ in r.normal() }, y = (0..<37).map { _ in r.normal() }
    XCTAssertEqual(VectorKernels.sum(x, count: 37), x.reduce(0, +), accuracy: 1e-12)
    XCTAssertEqual(VectorKernels.dot(x, y, count: 37), zip(x, y).map(*).reduce(0, +), accuracy: 1e-12)
  }
}
