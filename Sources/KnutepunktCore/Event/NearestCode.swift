/// Picks the allowed code (or member name) a misspelt one most likely meant, for "did you mean" hints.
///
/// Case, `_`, `-`, `.` and spaces are ignored (`targetGroups` → `target_groups`, `pnd` → `PND`); beyond that the
/// optimal-string-alignment distance (insertions, deletions, substitutions, swaps of neighbours) must be small for
/// the input's length, so a random word gets no suggestion.
package enum NearestCode {
    /// Longest input considered; longer ones get no suggestion (and cost no quadratic work).
    static let maxInputLength = 64

    /// The candidate nearest to `input`, or nil if none is near enough.
    package static func suggest(_ input: String, from candidates: [String]) -> String? {
        let key = normalized(input)
        guard !key.isEmpty, key.count <= maxInputLength else { return nil }
        let allowed =
            switch key.count {
            case ...2: 0
            case ...5: 1
            case ...9: 2
            default: 3
            }
        var best: (candidate: String, distance: Int)? = nil
        for candidate in candidates {
            let other = normalized(candidate)
            guard abs(other.count - key.count) <= allowed else { continue }
            let distance = distance(key, other)
            if distance <= allowed, distance < (best?.distance ?? Int.max) {
                best = (candidate, distance)
            }
        }
        return best?.candidate
    }

    private static func normalized(_ text: String) -> [Unicode.Scalar] {
        var scalars: [Unicode.Scalar] = []
        for scalar in text.uppercased().unicodeScalars where !"_-. ".unicodeScalars.contains(scalar) {
            scalars.append(scalar)
            // Enough to know the input is too long; no need to copy the rest.
            if scalars.count > maxInputLength { break }
        }
        return scalars
    }

    /// Optimal string alignment distance (Damerau–Levenshtein without repeated edits of one substring).
    static func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previousPrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, previousPrevious[j - 2] + 1)
                }
                current[j] = value
            }
            (previousPrevious, previous, current) = (previous, current, previousPrevious)
        }
        return previous[b.count]
    }
}
