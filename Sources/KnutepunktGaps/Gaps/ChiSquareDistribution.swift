import Foundation

/// The chi-square distribution, for G12's test "could these regions share one rate?".
package enum ChiSquareDistribution {
    /// P(X ≥ `statistic`) for `degrees` degrees of freedom: the regularised upper incomplete gamma function
    /// Q(k/2, x/2), by its series below k/2 + 1 and by its continued fraction (modified Lentz) above, both to about
    /// 1e-14 relative (Numerical Recipes §6.2). G12 compares it with a 0.05 significance level.
    package static func survival(_ statistic: Double, degrees: Int) -> Double {
        precondition(degrees >= 1 && statistic.isFinite, "need degrees ≥ 1 and a finite statistic")
        guard statistic > 0 else { return 1 }
        let a = Double(degrees) / 2
        let x = statistic / 2
        let logPrefix = -x + a * log(x) - lgamma(a)
        if x < a + 1 {
            // P(a, x) = e^{-x} x^a / Γ(a) · Σ x^n / (a (a+1) … (a+n))
            var term = 1 / a
            var sum = term
            var n = 1.0
            while n < 1000 {
                term *= x / (a + n)
                sum += term
                if term < sum * 1e-15 { break }
                n += 1
            }
            return max(0, min(1, 1 - exp(logPrefix) * sum))
        }
        // Q(a, x) = e^{-x} x^a / Γ(a) · 1 / (x + 1 − a − 1·(1 − a) / (x + 3 − a − …))
        let tiny = 1e-300
        var b = x + 1 - a
        var c = 1 / tiny
        var d = 1 / b
        var h = d
        var i = 1.0
        while i < 1000 {
            let an = -i * (i - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-15 { break }
            i += 1
        }
        return max(0, min(1, exp(logPrefix) * h))
    }
}
