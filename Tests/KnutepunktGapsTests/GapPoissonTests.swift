import Foundation
import Testing

@testable import KnutepunktGaps

@Suite("Poisson CDF")
struct GapPoissonTests {
    @Test("P(X ≤ 0 | λ = 1) = e^-1")
    func zeroOfOne() {
        #expect(abs(PoissonDistribution.cdf(0, lambda: 1) - exp(-1)) < 1e-15)
    }

    @Test("P(X ≤ 3 | λ = 2.5) = e^-2.5 (1 + 2.5 + 3.125 + 2.6041667) ≈ 0.7576")
    func threeOfTwoAndAHalf() {
        let exact = exp(-2.5) * (1 + 2.5 + 3.125 + 2.5 * 2.5 * 2.5 / 6)
        #expect(abs(PoissonDistribution.cdf(3, lambda: 2.5) - exact) < 1e-14)
        #expect(abs(PoissonDistribution.cdf(3, lambda: 2.5) - 0.7576) < 1e-4)
    }

    @Test("P(X ≤ 2 | λ = 10) = 61 e^-10 and P(X ≤ 6 | λ = 10) ≈ 0.1301 (the G2 scenarios)")
    func gTwoScenarios() {
        #expect(abs(PoissonDistribution.cdf(2, lambda: 10) - 61 * exp(-10)) < 1e-15)
        #expect(abs(PoissonDistribution.cdf(6, lambda: 10) - 0.130141) < 1e-6)
    }

    @Test("matches direct summation for moderate λ", arguments: [0.3, 4.0, 17.5, 60.0, 300.0])
    func matchesDirectSummation(lambda: Double) {
        var term = exp(-lambda)
        var sum = 0.0
        for k in 0...Int(lambda * 2 + 10) {
            if k > 0 { term *= lambda / Double(k) }
            sum += term
            #expect(abs(PoissonDistribution.cdf(k, lambda: lambda) - sum) < 1e-10 * max(1, sum), "k=\(k)")
        }
    }

    @Test("stays accurate for λ = 10^6 where e^-λ underflows")
    func largeLambda() {
        let lambda = 1_000_000.0
        // P(X ≤ λ) ≈ 1/2 + 2/(3√(2πλ)) (Ramanujan), = 0.500266 here.
        #expect(abs(PoissonDistribution.cdf(1_000_000, lambda: lambda) - 0.500266) < 1e-5)
        // Three standard deviations below: the normal approximation with continuity and skew corrections ≈ 0.00135.
        let low = PoissonDistribution.cdf(997_000, lambda: lambda)
        #expect(low > 0.0012 && low < 0.0015, "\(low)")
        // Far below: tiny but not 0 (log-space), and far above: 1.
        let tiny = PoissonDistribution.cdf(990_000, lambda: lambda)
        #expect(tiny > 0 && tiny < 1e-20)
        #expect(PoissonDistribution.cdf(1_010_000, lambda: lambda) > 1 - 1e-8)
    }

    @Test("edges: λ = 0, negative counts, monotone in k")
    func edges() {
        #expect(PoissonDistribution.cdf(0, lambda: 0) == 1)
        #expect(PoissonDistribution.cdf(-1, lambda: 3) == 0)
        var previous = 0.0
        for k in 0...50 {
            let value = PoissonDistribution.cdf(k, lambda: 12.3)
            #expect(value >= previous && value <= 1)
            previous = value
        }
    }
}
