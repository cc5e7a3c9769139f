import Testing

@testable import KnutepunktGaps

@Suite("Inequity statistics (G12)")
struct GapInequityStatisticsTests {
    @Test("equal weights: rates 1, 2, 3")
    func equalWeights() {
        let stats = InequityStatistics(rates: [1, 2, 3], weights: [1, 1, 1])
        #expect(stats.maxMinRatio == 3)
        // mean 2, population variance 2/3, sd 0.816497 → CV 0.408248
        #expect(abs(stats.coefficientOfVariation - 0.408248) < 1e-6)
        // Σ|rᵢ − rⱼ| over ordered pairs = 8; 8 / (2 · 3² · 2) = 0.2222
        #expect(abs(stats.gini - 8.0 / 36) < 1e-12)
    }

    @Test("births weigh the Gini: rates 1 and 3 with weights 1 and 3")
    func weighted() {
        let stats = InequityStatistics(rates: [1, 3], weights: [1, 3])
        // weighted mean (1 + 9)/4 = 2.5; ΣΣ wᵢwⱼ|rᵢ − rⱼ| = 2 · 1 · 3 · 2 = 12; 12 / (2 · 16 · 2.5) = 0.15
        #expect(abs(stats.gini - 0.15) < 1e-12)
        // unweighted CV: mean 2, sd 1 → 0.5
        #expect(abs(stats.coefficientOfVariation - 0.5) < 1e-12)
    }

    @Test("the G12 CV-only scenario: rates 5, 5, 10 with births 10,000, 5,000, 2,000")
    func gTwelveScenario() {
        let stats = InequityStatistics(rates: [5, 5, 10], weights: [10_000, 5_000, 2_000])
        #expect(stats.maxMinRatio == 2)
        // mean 20/3, variance ((5/3)² · 2 + (10/3)²)/3 = 50/9 → CV = √(50/9)/(20/3) = 0.353553
        #expect(abs(stats.coefficientOfVariation - 0.353553) < 1e-6)
        // r̄ = 95,000/17,000; ΣΣ = 2 · (10,000·2,000·5 + 5,000·2,000·5) = 3·10⁸; G = 3·10⁸/(2 · 17,000² · r̄)
        #expect(abs(stats.gini - 3e8 / (2 * 17_000.0 * 17_000 * (95_000.0 / 17_000))) < 1e-12)
        #expect(abs(stats.gini - 0.0928793) < 1e-6)
    }

    @Test("a zero rate makes max/min infinite; all zero is equal")
    func zeros() {
        #expect(InequityStatistics(rates: [0, 2], weights: [1, 1]).maxMinRatio == .infinity)
        let none = InequityStatistics(rates: [0, 0], weights: [1, 1])
        #expect(none.maxMinRatio == 1 && none.coefficientOfVariation == 0 && none.gini == 0)
    }

    @Test("median of odd and even counts")
    func median() {
        #expect(GapRules.median([3, 1, 2]) == 2)
        #expect(GapRules.median([4, 1, 2, 3]) == 2.5)
        #expect(GapRules.median([]) == nil)
    }
}
