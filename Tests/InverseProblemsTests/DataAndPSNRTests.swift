import InverseProblems
import Numerics
import XCTest

final class DataAndPSNRTests: XCTestCase {
  func testPSNROfAKnownErrorIsExact() {
    // Truth spans [−1, 1] (R = 2); a constant error of 0.1 gives MSE 0.01: 10·log10(4/0.01) = 26.0206 dB.
    let truth: [Double] = [-1, 0, 1, 0.5]
    let estimate = truth.map { $0 + 0.1 }
    XCTAssertEqual(PSNR.signal(estimate, truth, length: 4), 10 * log10(400.0), accuracy: 1e-9)
  }

  func testPSNROfAnExactEstimateIsInfiniteAndOfNaNIsNaN() {
    XCTAssertEqual(PSNR.signal([1.0, 2], [1.0, 2], length: 2), .infinity)
    XCTAssertTrue(PSNR.signal([Double.nan, 2], [1.0, 2], length: 2).isNaN)
  }

  func testSplitsHaveTheConfiguredSizesAndTheSignalStatisticsOfTheSpec() {
    var c = ProblemConfig()
    c.trainSize = 300
    let d = DataSet<Double>(problem: .downsample, config: c, seed: 0)
    XCTAssertEqual(d.train.truth.shape, [300, 128])
    XCTAssertEqual(d.val.measurements.shape, [512, 32])
    // Offsets are U[−0.5, 0.5] and cosines average out over ≥ 1 cycle: the mean is near 0.
    let means = (0..<300).map { i in d.train.truth.row(i).reduce(0, +) / 128 }
    XCTAssertEqual(means.reduce(0, +) / 300, 0, accuracy: 0.1)
    // Amplitude ≤ 1.5 and offset ≤ 0.5 bound every sample by 2.
    XCTAssertTrue(d.test.truth.storage.allSatisfy { abs($0) <= 2 })
  }

  func testTheSameDataSeedGivesTheSameDataAndSplitsDiffer() {
    let a = DataSet<Float>(problem: .blur, config: ProblemConfig(), seed: 3)
    let b = DataSet<Float>(problem: .blur, config: ProblemConfig(), seed: 3)
    XCTAssertEqual(a.train.truth, b.train.truth)
    XCTAssertEqual(a.test.measurements, b.test.measurements)
    XCTAssertNotEqual(a.train.truth, a.val.truth)
  }

  func testMeasurementNoiseHasTheConfiguredLevel() {
    var c = ProblemConfig()
    c.noiseSigma = 0.05
    let noisy = DataSet<Double>(problem: .blur, config: c, seed: 1)
    c.noiseSigma = 0
    let clean = DataSet<Double>(problem: .blur, config: c, seed: 1)
    let diff = zip(noisy.train.measurements.storage, clean.train.measurements.storage).map { $0 - $1 }
    let sd = (diff.reduce(0) { $0 + $1 * $1 } / Double(diff.count)).squareRoot()
    XCTAssertEqual(sd, 0.05, accuracy: 0.002)
  }
}
