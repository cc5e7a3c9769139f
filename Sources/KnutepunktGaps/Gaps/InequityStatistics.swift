/// How unequal the regions' rates are (G12): max/min, coefficient of variation and a births-weighted Gini.
package struct InequityStatistics: Sendable, Hashable {
    /// Largest rate divided by the smallest; `.infinity` when the smallest is 0 and the largest is not; 1 when all
    /// are 0.
    package var maxMinRatio: Double
    /// Population standard deviation over the (unweighted) mean of the rates; 0 when the mean is 0.
    package var coefficientOfVariation: Double
    /// Gini coefficient of the rates, each region weighted by its births:
    /// G = Σᵢ Σⱼ wᵢ wⱼ |rᵢ − rⱼ| / (2 (Σw)² r̄), with r̄ = Σ wᵢ rᵢ / Σ w; 0 when r̄ is 0.
    package var gini: Double

    /// The statistics of `rates` (at least one) with their `weights` (births, same count, positive).
    package init(rates: [Double], weights: [Double]) {
        precondition(!rates.isEmpty && rates.count == weights.count, "need one weight per rate, and a rate")
        let low = rates.min()!
        let high = rates.max()!
        maxMinRatio = low > 0 ? high / low : (high > 0 ? .infinity : 1)

        let n = Double(rates.count)
        let mean = rates.reduce(0, +) / n
        let variance = rates.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
        coefficientOfVariation = mean > 0 ? variance.squareRoot() / mean : 0

        let totalWeight = weights.reduce(0, +)
        let weightedMean = zip(rates, weights).reduce(0) { $0 + $1.0 * $1.1 } / totalWeight
        var spread = 0.0
        for i in rates.indices {
            for j in rates.indices {
                spread += weights[i] * weights[j] * abs(rates[i] - rates[j])
            }
        }
        gini = weightedMean > 0 ? spread / (2 * totalWeight * totalWeight * weightedMean) : 0
    }
}
