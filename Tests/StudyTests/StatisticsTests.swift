import XCTest

@testable import Study

/// Statistics against values computed by hand (the arithmetic is in the comments).
final class StatisticsTests: XCTestCase {
  func testMedianOfAnOddCountIsTheMiddleValue() {
    XCTAssertEqual(Statistics.median([3, 1, 2]), 2)
  }

  func testMedianOfAnEvenCountIsTheMeanOfTheTwoMiddleValues() {
    XCTAssertEqual(Statistics.median([4, 1, 3, 2]), 2.5)
  }

  func testMedianMeanAndStdOfOneValue() {
    XCTAssertEqual(Statistics.median([7]), 7)
    XCTAssertEqual(Statistics.mean([7]), 7)
    XCTAssertNil(Statistics.std([7]), "the spread of one value is undefined")
    XCTAssertNil(Statistics.median([]))
  }

  func testStdIsTheSampleStandardDeviation() {
    // Mean 5, squared deviations sum to 32, over n − 1 = 7.
    XCTAssertEqual(Statistics.std([2, 4, 4, 4, 5, 5, 7, 9])!, (32.0 / 7).squareRoot(), accuracy: 1e-12)
  }

  func testPooledStdWeighsEachGroupsSquaresByItsDegreesOfFreedom() {
    // Squares about the group means: [1, 3] → 2, [10, 12, 14] → 8; dof 1 + 2; √(10 / 3).
    // A single value adds no degree of freedom, whatever its mean.
    XCTAssertEqual(Statistics.pooledStd([[1, 3], [10, 12, 14], [100]])!, (10.0 / 3).squareRoot(), accuracy: 1e-12)
    XCTAssertNil(Statistics.pooledStd([[5], []]))
  }

  func testSpearmanAveragesTiedRanks() {
    // Ranks of x: 1, 2.5, 2.5, 4; of y: 1, 3, 2, 4. Deviations from 2.5 give
    // Σdxdy = 4.5, Σdx² = 4.5, Σdy² = 5, so ρ = 4.5 / √22.5 = 3 / √10.
    XCTAssertEqual(Statistics.ranks([1, 2, 2, 3]), [1, 2.5, 2.5, 4])
    XCTAssertEqual(Statistics.spearman([1, 2, 2, 3], [1, 3, 2, 4])!, 3 / 10.0.squareRoot(), accuracy: 1e-12)
  }

  func testKendallTauBCorrectsForTiesInX() {
    // Of the 6 pairs, 5 are concordant and 1 is tied in x only: τ-b = 5 / √(6 · 5).
    XCTAssertEqual(Statistics.kendallTauB([1, 2, 2, 3], [1, 3, 2, 4])!, 5 / 30.0.squareRoot(), accuracy: 1e-12)
  }

  func testKendallTauBCountsDiscordantPairsAndTiesInY() {
    // Pairs: (0,1) D, (0,2) D, (0,3) C, (1,2) tied in y, (1,3) C, (2,3) C: τ-b = (3 − 2) / √(6 · 5).
    XCTAssertEqual(Statistics.kendallTauB([1, 2, 3, 4], [2, 1, 1, 3])!, 1 / 30.0.squareRoot(), accuracy: 1e-12)
  }

  func testKendallTauBIgnoresPairsTiedInBoth() {
    // One pair tied in both, two concordant: τ-b = 2 / √(2 · 2) = 1.
    XCTAssertEqual(Statistics.kendallTauB([1, 1, 2], [1, 1, 3])!, 1, accuracy: 1e-12)
  }

  func testCorrelationsOfAConstantInputAreUndefinedNotNaN() {
    let x: [Double] = [1, 2, 3], y: [Double] = [5, 5, 5]
    XCTAssertNil(Statistics.pearson(x, y))
    XCTAssertNil(Statistics.spearman(x, y))
    XCTAssertNil(Statistics.kendallTauB(x, y))
    XCTAssertEqual(Statistics.undefinedCorrelationReason(x, y), "undefined (constant input)")
  }

  func testCorrelationsOfOnePairAreUndefinedBecauseNIsBelowTwo() {
    XCTAssertNil(Statistics.pearson([1], [2]))
    XCTAssertNil(Statistics.kendallTauB([1], [2]))
    XCTAssertEqual(Statistics.undefinedCorrelationReason([1], [2]), "n < 2")
    XCTAssertNil(Statistics.undefinedCorrelationReason([1, 2], [2, 1]))
  }

  func testQuantileInterpolatesBetweenOrderStatistics() {
    // p = 0.25 of four values sits at position 0.75 between 1 and 2.
    XCTAssertEqual(Statistics.quantile(sorted: [1, 2, 3, 4], 0.25), 1.75)
    XCTAssertEqual(Statistics.quantile(sorted: [1, 2, 3, 4], 1), 4)
    XCTAssertNil(Statistics.quantile(sorted: [], 0.5))
  }

  func testBootstrapIntervalIsReproducibleForOneSeedAndBracketsTheEstimate() {
    let x = (0..<40).map { Double($0) }
    let y = x.map { $0 + 15 * sin($0 * 1.7) }  // correlated, with scatter
    let a = Statistics.bootstrapInterval(x, y, resamples: 500, seed: 7, Statistics.spearman)!
    let b = Statistics.bootstrapInterval(x, y, resamples: 500, seed: 7, Statistics.spearman)!
    XCTAssertEqual(a.lower, b.lower)
    XCTAssertEqual(a.upper, b.upper)
    let rho = Statistics.spearman(x, y)!
    XCTAssertLessThan(a.lower, rho)
    XCTAssertGreaterThan(a.upper, rho)
  }

  func testBootstrapIntervalOfAPerfectLineIsOneAndUndefinedBelowThreePairs() {
    let ci = Statistics.bootstrapInterval([1, 2, 3, 4, 5], [2, 4, 6, 8, 10], resamples: 200, seed: 1, Statistics.pearson)!
    XCTAssertEqual(ci.lower, 1, accuracy: 1e-12)
    XCTAssertEqual(ci.upper, 1, accuracy: 1e-12)
    XCTAssertNil(Statistics.bootstrapInterval([1, 2], [2, 1], seed: 1, Statistics.pearson))
  }
}
