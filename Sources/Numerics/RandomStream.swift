import Foundation

/// SplitMix64's finaliser: the fixed hash that derives every seed in oneshot, so a trial's
/// seed depends only on what identifies it, never on scheduling.
@inlinable public func splitMix64(_ x: UInt64) -> UInt64 {
  var z = x &+ 0x9E37_79B9_7F4A_7C15
  z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
  z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
  return z ^ (z >> 31)
}

/// Folds several words into one seed, order-sensitively.
@inlinable public func deriveSeed(_ parts: UInt64...) -> UInt64 {
  parts.reduce(0x6F6E_6573_686F_7400) { splitMix64($0 ^ $1) }
}

/// A stable 64-bit hash of a name (FNV-1a), for mixing method and problem names into seeds.
@inlinable public func stableHash(_ s: String) -> UInt64 {
  var h: UInt64 = 0xCBF2_9CE4_8422_2325
  for b in s.utf8 {
    h ^= UInt64(b)
    h = h &* 0x100_0000_01B3
  }
  return h
}

/// A seeded stream of random numbers (xoshiro256**, seeded through SplitMix64).
/// Deterministic on every platform: nothing here reads the system's generator.
public struct RandomStream: RandomNumberGenerator, Sendable {
  private var s0, s1, s2, s3: UInt64

  /// A stream determined by `seed` alone.
  public init(seed: UInt64) {
    // SplitMix64 outputs for states seed + k·γ, k = 1…4 (the reference seeding of xoshiro).
    let g: UInt64 = 0x9E37_79B9_7F4A_7C15
    s0 = splitMix64(seed)
    s1 = splitMix64(seed &+ g)
    s2 = splitMix64(seed &+ 2 &* g)
    s3 = splitMix64(seed &+ 3 &* g)
  }

  /// An independent stream for a named purpose (initialisation, batches, noise…).
  public init(seed: UInt64, stream: String) {
    self.init(seed: deriveSeed(seed, stableHash(stream)))
  }

  public mutating func next() -> UInt64 {
    let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
    let t = s1 << 17
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
    s2 ^= t
    s3 = (s3 << 45) | (s3 >> 19)
    return result
  }

  /// Uniform in `[0, 1)` with 53 random bits.
  public mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }

  /// Uniform in `[lo, hi)`.
  public mutating func uniform(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * uniform() }

  /// Standard normal by Marsaglia and Tsang's ziggurat (128 layers): one 64-bit draw and a
  /// table look-up for 98.8% of the values, where Box–Muller needs a log and a cosine each
  /// (the `noise` op draws thousands per step). The layer index and the value come from
  /// disjoint bits of the draw.
  public mutating func normal() -> Double {
    let z = Ziggurat.shared
    while true {
      let u = next()
      let i = Int(u & 127)
      let h = Int32(truncatingIfNeeded: u >> 32)
      let x = Double(h) * z.w[i]
      if Int64(h.magnitude) < z.k[i] { return x }  // inside the layer's rectangle
      if i == 0 {  // the tail beyond r, by Marsaglia's exponential method
        var t: Double, y: Double
        repeat {
          t = -Foundation.log(1 - uniform()) / Ziggurat.r
          y = -Foundation.log(1 - uniform())
        } while y + y < t * t
        return h > 0 ? Ziggurat.r + t : -Ziggurat.r - t
      }
      // The wedge between the rectangle and the density: accept under the curve.
      if z.f[i] + uniform() * (z.f[i - 1] - z.f[i]) < Foundation.exp(-0.5 * x * x) { return x }
    }
  }

  /// Uniform integer in `0..<n` without modulo bias.
  public mutating func index(below n: Int) -> Int {
    precondition(n > 0)
    let bound = UInt64(n)
    let limit = UInt64.max - UInt64.max % bound
    while true {
      let r = next()
      if r < limit { return Int(r % bound) }
    }
  }

  /// A uniformly random permutation of `0..<n` (Fisher–Yates), written into `into`.
  public mutating func permutation(_ n: Int, into p: inout [Int]) {
    p.removeAll(keepingCapacity: true)
    p.append(contentsOf: 0..<n)
    if n < 2 { return }
    for i in stride(from: n - 1, to: 0, by: -1) { p.swapAt(i, index(below: i + 1)) }
  }
}

/// The tables of the 128-layer ziggurat for the standard normal (Marsaglia & Tsang 2000),
/// computed once: `k` the rectangle bounds in units of 2⁻³¹, `w` the scale of a 32-bit draw,
/// `f` the density at each layer's edge.
struct Ziggurat: Sendable {
  static let r = 3.442619855899
  static let shared = Ziggurat()
  var k = [Int64](repeating: 0, count: 128)
  var w = [Double](repeating: 0, count: 128)
  var f = [Double](repeating: 0, count: 128)

  init() {
    let m = 2147483648.0, v = 9.91256303526217e-3
    var d = Ziggurat.r, t = d
    let q = v / Foundation.exp(-0.5 * d * d)
    k[0] = Int64(d / q * m)
    k[1] = 0
    w[0] = q / m
    w[127] = d / m
    f[0] = 1
    f[127] = Foundation.exp(-0.5 * d * d)
    for i in stride(from: 126, through: 1, by: -1) {
      d = (-2 * Foundation.log(v / d + Foundation.exp(-0.5 * d * d))).squareRoot()
      k[i + 1] = Int64(d / t * m)
      t = d
      f[i] = Foundation.exp(-0.5 * d * d)
      w[i] = d / m
    }
  }
}
