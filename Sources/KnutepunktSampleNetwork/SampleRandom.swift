import KnutepunktDomain

/// A small, seeded pseudo-random generator (SplitMix64), so sample data and generated test inputs are the same on
/// every run and every machine. Not for anything secret.
package struct SampleRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    package init(seed: UInt64) {
        state = seed
    }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value from `range`.
    package mutating func int(_ range: ClosedRange<Int>) -> Int {
        Int.random(in: range, using: &self)
    }

    /// True with probability `p`.
    package mutating func chance(_ p: Double) -> Bool {
        Double.random(in: 0..<1, using: &self) < p
    }

    /// One of `items`, chosen by the weights beside them. `items` must not be empty.
    package mutating func weighted<T>(_ items: [(T, Int)]) -> T {
        precondition(!items.isEmpty, "weighted choice from nothing")
        let total = items.reduce(0) { $0 + max(0, $1.1) }
        guard total > 0 else { return items[0].0 }
        var pick = int(0...(total - 1))
        for (item, weight) in items {
            pick -= max(0, weight)
            if pick < 0 { return item }
        }
        return items[items.count - 1].0
    }

    /// Up to `count` different elements of `items`, in their original order.
    package mutating func some<T>(_ items: [T], count: Int) -> [T] {
        guard count < items.count else { return items }
        var indices = Array(items.indices)
        indices.shuffle(using: &self)
        return indices.prefix(max(0, count)).sorted().map { items[$0] }
    }
}
