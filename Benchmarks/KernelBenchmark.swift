import Foundation
import Numerics
import Study

/// One convolution shape of the kernel grid.
struct ConvolutionCase {
  var inChannels, outChannels, width, batch, length: Int
  var why: String

  var shape: Convolution1D {
    Convolution1D(
      inChannels: inChannels, outChannels: outChannels, width: width, batch: batch, length: length)
  }
  var label: String { "\(inChannels)→\(outChannels) k\(width) B\(batch) L\(length)" }
  var is16Channel: Bool {
    inChannels == 16 && outChannels == 16 && width == 5 && batch == 32 && length == 128
  }
  var isNetOp: Bool {
    (inChannels == 1 && outChannels == 16 || inChannels == 16 && outChannels == 1) && width == 5
      && batch == 32 && length == 128
  }
}

/// The grid: the net op's two SPEC convolutions, the blur, 16-channel cases, and variations of
/// batch, length, width and channels around them. `--quick` keeps the first four.
let convolutionGrid: [ConvolutionCase] = [
  .init(
    inChannels: 1, outChannels: 16, width: 5, batch: 32, length: 128,
    why: "SPEC: net op, first layer"),
  .init(
    inChannels: 16, outChannels: 1, width: 5, batch: 32, length: 128,
    why: "SPEC: net op, second layer"),
  .init(
    inChannels: 16, outChannels: 16, width: 5, batch: 32, length: 128, why: "16 channels (target)"),
  .init(
    inChannels: 1, outChannels: 1, width: 13, batch: 32, length: 128,
    why: "SPEC: the blur and its adjoint"),
  .init(
    inChannels: 1, outChannels: 16, width: 5, batch: 128, length: 128,
    why: "SPEC net op, eval batch"),
  .init(
    inChannels: 16, outChannels: 1, width: 5, batch: 128, length: 128,
    why: "SPEC net op, eval batch"),
  .init(inChannels: 16, outChannels: 16, width: 3, batch: 32, length: 128, why: "narrow kernel"),
  .init(inChannels: 16, outChannels: 16, width: 9, batch: 32, length: 128, why: "wide kernel"),
  .init(inChannels: 16, outChannels: 16, width: 5, batch: 1, length: 128, why: "one signal"),
  .init(inChannels: 16, outChannels: 16, width: 5, batch: 8, length: 512, why: "long signals"),
  .init(inChannels: 32, outChannels: 32, width: 5, batch: 32, length: 128, why: "32 channels"),
]

/// The three products of a convolution layer.
enum ConvolutionPass: String, CaseIterable {
  case forward
  case weightGradient = "weight grad"
  case inputGradient = "input grad"
}

/// Times forward, weight gradient and input gradient of every grid shape with the naive loops
/// and with im2col + BLAS, one thread.
func kernelBenchmark(quick: Bool) -> Section {
  BLAS.setThreads(1)
  let cases = quick ? Array(convolutionGrid.prefix(4)) : convolutionGrid
  let repeats = quick ? 3 : 9
  let batchSeconds = quick ? 0.01 : 0.05
  var section = Section(
    key: "kernels", title: "1. Convolution kernels: naive loops vs im2col + BLAS (1 thread, Float)",
    columns: [
      "shape", "pass", "MFLOP", "naive", "naive GFLOP/s", "BLAS", "BLAS GFLOP/s", "BLAS/naive",
    ])
  var records: [JSON] = []
  var ratios: [String: [Double]] = [:]  // label → ratio per pass
  for c in cases {
    let conv = c.shape
    var rng = RandomStream(seed: 1, stream: c.label)
    func buffer(_ n: Int) -> UnsafeMutablePointer<Float> {
      let p = UnsafeMutablePointer<Float>.allocate(capacity: n)
      for i in 0..<n { p[i] = Float(rng.uniform(-1, 1)) }
      return p
    }
    let x = buffer(c.inChannels * c.batch * c.length)
    let dx = buffer(c.inChannels * c.batch * c.length)
    let w = buffer(c.outChannels * c.inChannels * c.width)
    let dw = buffer(c.outChannels * c.inChannels * c.width)
    let out = buffer(c.outChannels * c.batch * c.length)
    let dout = buffer(c.outChannels * c.batch * c.length)
    let scratch = buffer(conv.scratchCount)
    defer { for p in [x, dx, w, dw, out, dout, scratch] { p.deallocate() } }
    for pass in ConvolutionPass.allCases {
      var times: [ConvolutionKernel: Sample] = [:]
      for kernel in [ConvolutionKernel.naive, .blas] {
        times[kernel] = timePerCall(repeats: repeats, batchSeconds: batchSeconds) {
          switch pass {
          case .forward: conv.forward(kernel, x: x, w: w, out: out, scratch: scratch)
          case .weightGradient:
            conv.backwardAdd(kernel, x: x, w: w, dout: dout, dw: dw, dx: nil, scratch: scratch)
          case .inputGradient:
            conv.backwardAdd(kernel, x: nil, w: w, dout: dout, dw: nil, dx: dx, scratch: scratch)
          }
        }
      }
      let naive = times[.naive]!
      let blas = times[.blas]!
      let ratio = naive.median / blas.median
      ratios[c.label, default: []].append(ratio)
      section.rows.append([
        c.label, pass.rawValue, Format.fixed(conv.flops / 1e6, 2), Format.time(naive.median),
        Format.fixed(conv.flops / naive.median / 1e9, 2), Format.time(blas.median),
        Format.fixed(conv.flops / blas.median / 1e9, 2), Format.ratio(ratio),
      ])
      records.append(
        .object([
          ("in_channels", .number(Double(c.inChannels))),
          ("out_channels", .number(Double(c.outChannels))),
          ("width", .number(Double(c.width))), ("batch", .number(Double(c.batch))),
          ("length", .number(Double(c.length))), ("why", .string(c.why)),
          ("pass", .string(pass.rawValue)),
          ("flops", .num(conv.flops)), ("naive_seconds", naive.json), ("blas_seconds", blas.json),
          ("naive_gflops", .num(conv.flops / naive.median / 1e9)),
          ("blas_gflops", .num(conv.flops / blas.median / 1e9)),
          ("ratio_blas_over_naive", .num(ratio)),
        ]))
    }
  }
  section.notes = [
    "Times are medians of \(repeats) batches after 2 warm-up calls; each batch repeats the call for about "
      + "\(Int(batchSeconds * 1000)) ms. MFLOP = 2·Cout·Cin·k·B·L per pass (zero padding counted).",
    "BLAS gradients with Cout ≤ Cin go through im2col of dout; timed alone, each gradient pays that im2col "
      + "(in training the two share it). 1-row/1-column products go to GEMV.",
  ]
  section.json = .object([
    ("repetitions", .number(Double(repeats))), ("batch_seconds", .num(batchSeconds)),
    ("cases", .array(records)),
  ])
  func judge(_ name: String, _ pick: (ConvolutionCase) -> Bool) -> Target {
    let rs = cases.filter(pick).flatMap { ratios[$0.label] ?? [] }
    guard let worst = rs.min() else {
      return Target(name: name, measured: "not measured", pass: nil)
    }
    return Target(
      name: name, measured: "slowest pass \(Format.ratio(worst)) (need ≥ 4×)", pass: worst >= 4)
  }
  section.targets = [
    judge("BLAS ≥ 4× naive at 16 channels (16→16 k5 B32 L128, every pass)") { $0.is16Channel },
    judge(
      "(extra, not an issue target) BLAS ≥ 4× naive at the net op's SPEC shapes (1→16 and 16→1, every pass)"
    ) { $0.isNetOp },
  ]
  return section
}
