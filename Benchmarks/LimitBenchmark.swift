import Foundation
import InverseProblems
import Numerics
import Search
import Study

/// Floating-point operations of one first-order search step over all four ops, counted from the
/// shapes. Counted: every convolution (the net op's two, the blur `A` and its adjoint `Aᵀ`,
/// each `2·Cout·Cin·k·B·L`), in the forward passes and in the backward passes as far as the
/// tape needs them. Not counted: elementwise work (bias, ReLU, softmax mixing, the loss, Adam).
struct SearchStepFlops {
  var forward: Double
  var alphaBackward: Double
  var weightBackward: Double
  var total: Double { 2 * forward + alphaBackward + weightBackward }

  init(config s: SearchConfig, blurWidth: Int, length: Int) {
    let columns = Double(s.batchSize * length)
    let blur = 2 * Double(blurWidth) * columns  // 1 → 1 channel
    let net = 2 * Double(s.channels * s.kernelWidth) * columns  // 1 → C and C → 1: the same count
    let layers = Double(s.layers)
    // Forward (each of the two steps): x⁽⁰⁾ = Aᵀy, then per layer grad (A and Aᵀ) and net (two convs).
    forward = blur + layers * (2 * blur + 2 * net)
    // α step, weights frozen: gradients reach x⁽ʲ⁾ only for j ≥ 1 (x⁽⁰⁾ = Aᵀy is data), so in layers
    // 1…N−1 the input gradients of A, Aᵀ and both convolutions; nothing in layer 0.
    alphaBackward = (layers - 1) * (2 * blur + 2 * net)
    // Weight step: every net op needs both weight gradients and the second convolution's input
    // gradient; layers 1…N−1 also the first convolution's and the blur pair's input gradients.
    weightBackward = layers * 3 * net + (layers - 1) * (net + 2 * blur)
  }
}

/// The FLOPs of a search step divided by its measured time, as a fraction of the single-thread
/// sgemm rate measured in the same run.
func limitBenchmark(quick: Bool) -> Section {
  BLAS.setThreads(1)
  let repeats = quick ? 3 : 9
  // Single-thread sgemm: a large square product (the machine's practical peak) and the net
  // op's own forward shape (what a GEMM of this size can reach).
  let shapes: [(m: Int, n: Int, k: Int, what: String)] = [
    (512, 512, 512, "square sgemm (the reference rate)"),
    (16, 32 * 128, 5, "net op forward as one GEMM (16 × 4096 × 5)"),
  ]
  var gemmRates: [Double] = []
  var gemmJSON: [JSON] = []
  var section = Section(
    key: "limit",
    title: "4. Distance to the limit: one darts-all search step vs single-thread sgemm",
    columns: ["what", "MFLOP", "time", "GFLOP/s", "of sgemm 512³"])
  for s in shapes {
    var rng = RandomStream(seed: 2, stream: "gemm")
    let a = (0..<(s.m * s.k)).map { _ in Float(rng.uniform(-1, 1)) }
    let b = (0..<(s.k * s.n)).map { _ in Float(rng.uniform(-1, 1)) }
    var c = [Float](repeating: 0, count: s.m * s.n)
    let flops = 2 * Double(s.m * s.n * s.k)
    let t = a.withUnsafeBufferPointer { pa in
      b.withUnsafeBufferPointer { pb in
        c.withUnsafeMutableBufferPointer { pc in
          timePerCall(repeats: repeats, batchSeconds: quick ? 0.02 : 0.1) {
            gemm(m: s.m, n: s.n, k: s.k, a: pa.baseAddress!, b: pb.baseAddress!, c: pc.baseAddress!)
          }
        }
      }
    }
    let rate = flops / t.median
    gemmRates.append(rate)
    section.rows.append([
      s.what, Format.fixed(flops / 1e6, 2), Format.time(t.median), Format.fixed(rate / 1e9, 2),
      Format.fixed(100 * rate / gemmRates[0], 1) + " %",
    ])
    gemmJSON.append(
      .object([
        ("m", .number(Double(s.m))), ("n", .number(Double(s.n))), ("k", .number(Double(s.k))),
        ("what", .string(s.what)),
        ("flops", .num(flops)), ("seconds", t.json), ("gflops", .num(rate / 1e9)),
      ]))
  }

  // One search step: the training loop of a darts-all search, timed over whole epochs.
  var config = StudyConfig()
  let problem = Problem.blur
  let data = DataSet<Float>(problem: problem, config: config.data, seed: config.dataSeed)
  let op: ForwardOperator<Float> = problem.forwardOperator(config.data, kernel: .blas)
  let epochs = quick ? 2 : 10
  config.search.searchEpochs = epochs
  let steps = epochs * (config.data.trainSize / config.search.batchSize)
  func searchLoop(_ epochs: Int, order: SearchConfig.Order = .first) -> Double {
    var search = config.search
    search.order = order
    let net = Network<Float>(
      supernetOver: Op.allCases, problem: op, config: search, seed: 1, phase: "search")
    var trainer = Trainer(
      net: net, data: data, epochs: epochs, seed: 1, phase: "search", kernel: .blas)
    return seconds { try? trainer.run() }
  }
  _ = searchLoop(1)  // warm-up
  let stepTime = Sample(values: (0..<repeats).map { _ in searchLoop(epochs) / Double(steps) })
  let count = SearchStepFlops(
    config: config.search, blurWidth: op.taps.count, length: config.data.length)
  let rate = count.total / stepTime.median
  section.rows.append([
    "darts-all search step (α step + weight step)", Format.fixed(count.total / 1e6, 2),
    Format.time(stepTime.median),
    Format.fixed(rate / 1e9, 2), Format.fixed(100 * rate / gemmRates[0], 1) + " %",
  ])
  // Issue 3: the same loop with the second-order architect (unrolled step + two extra passes).
  _ = searchLoop(1, order: .second)
  let secondTime = Sample(values: (0..<repeats).map { _ in searchLoop(epochs, order: .second) / Double(steps) })
  section.rows.append([
    "second-order search step (time only)", "", Format.time(secondTime.median),
    "", "\(Format.fixed(secondTime.median / stepTime.median, 2))× first order",
  ])
  section.notes = [
    "Step FLOPs counted from the shapes: every convolution (net op 1→\(config.search.channels) and "
      + "\(config.search.channels)→1, k\(config.search.kernelWidth); blur A and adjoint Aᵀ, k\(op.taps.count)), "
      + "2·Cout·Cin·k·B·L each, in the forward pass of both the α step and the weight step "
      + "(\(Format.fixed(count.forward / 1e6, 2)) MFLOP each) and in the backward passes as far as gradients are needed: "
      + "α step \(Format.fixed(count.alphaBackward / 1e6, 2)) MFLOP (input gradients in layers 1–\(config.search.layers - 1)), "
      + "weight step \(Format.fixed(count.weightBackward / 1e6, 2)) MFLOP (weight gradients of every net op, input "
      + "gradients where the input depends on a weight). Elementwise work (bias, ReLU, mixing, loss, Adam) is not counted.",
    "Step time: the median over \(repeats) runs of a \(epochs)-epoch darts-all search loop (\(steps) steps, no "
      + "evaluation) divided by its steps, after a one-epoch warm-up. sgemm: median of \(repeats) batches, 1 thread.",
  ]
  section.json = .object([
    ("gemm", .array(gemmJSON)),
    (
      "search_step",
      .object([
        ("seconds", stepTime.json), ("steps_per_run", .number(Double(steps))),
        (
          "flops",
          .object([
            ("forward_per_pass", .num(count.forward)),
            ("alpha_backward", .num(count.alphaBackward)),
            ("weight_backward", .num(count.weightBackward)), ("total", .num(count.total)),
          ])
        ),
        ("gflops", .num(rate / 1e9)), ("fraction_of_sgemm", .num(rate / gemmRates[0])),
      ])
    ),
    (
      "second_order_search_step",
      .object([
        ("seconds", secondTime.json), ("ratio_to_first_order", .num(secondTime.median / stepTime.median)),
      ])
    ),
  ])
  return section
}
