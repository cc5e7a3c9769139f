import Foundation

/// The Poisson distribution, for G2's test "is this count clearly below what the rate should give?".
package enum PoissonDistribution {
    /// P(X ≤ `observed` | mean `lambda`) = Σ_{i=0}^{observed} e^{−λ} λ^i / i!.
    ///
    /// Summed in log space around the largest term so it neither underflows (e^{−λ} is 0 in a `Double` beyond
    /// λ ≈ 745) nor overflows (λ^i): the peak term is exp(−λ + p·ln λ − ln p!) with p = min(observed, ⌊λ⌋), the
    /// others follow by the ratios t(i−1) = t(i)·i/λ and t(i+1) = t(i)·λ/(i+1), and the walk stops once terms no
    /// longer change the sum. That is O(√λ) terms, so λ up to 10^6 and beyond is cheap. Accuracy is limited by the
    /// peak's log (−λ + p·ln λ − ln p! cancels terms of size λ·ln λ): ~1e-14 relative for small λ, ~1e-9 at 10^6,
    /// far finer than the 0.05 significance level G2 compares it with.
    package static func cdf(_ observed: Int, lambda: Double) -> Double {
        precondition(lambda >= 0 && lambda.isFinite, "λ must be finite and ≥ 0, got \(lambda)")
        guard observed >= 0 else { return 0 }
        guard lambda > 0 else { return 1 }
        let peak = min(observed, Int(lambda.rounded(.down)))
        let logPeak = -lambda + Double(peak) * log(lambda) - lgamma(Double(peak) + 1)

        var sum = 1.0  // in units of the peak term
        var term = 1.0
        var i = peak
        while i > 0 {  // downwards: the terms fall once below the mode
            term *= Double(i) / lambda
            sum += term
            if term < sum * 1e-17 { break }
            i -= 1
        }
        term = 1.0
        i = peak
        while i < observed {  // upwards, only reached when observed > ⌊λ⌋: terms fall above the mode
            term *= lambda / Double(i + 1)
            sum += term
            if term < sum * 1e-17 { break }
            i += 1
        }
        return min(1, exp(logPeak + log(sum)))
    }
}
