/// Finds the name a misspelt one was probably meant to be (a configuration key, a code, an event member, a CSV
/// column), for "did you mean" messages. The one suggester every module uses.
package enum NearestName {
    /// The candidate closest to `name`, or nil when none is close enough to be a likely misspelling.
    ///
    /// In order: a candidate equal to `name` ignoring case, `_`, `-` and spaces (`age_bands` → `ageBands`); then the
    /// candidate with the smallest edit distance (insertions, deletions, substitutions and swaps of neighbours,
    /// ignoring case), if that is at most 1 for names up to 3 characters, 2 up to 6, 3 beyond; then a candidate that
    /// is a prefix of `name` or has it as a prefix, when the shorter of the two has at least 4 characters
    /// (`retentionDays` → `retention`). Ties go to the earlier candidate.
    package static func suggest(_ name: String, from candidates: [String]) -> String? {
        let wanted = normalized(name)
        // Keys are short; a long input gets no suggestion (and costs no quadratic work).
        guard !wanted.isEmpty, wanted.count <= 64 else { return nil }
        if let same = candidates.first(where: { normalized($0) == wanted }) { return same }
        let limit = wanted.count <= 3 ? 1 : wanted.count <= 6 ? 2 : 3
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let other = normalized(candidate)
            let distance = editDistance(wanted, other)
            guard distance <= limit, distance < max(other.count, wanted.count) else { continue }
            if best == nil || distance < best!.distance { best = (candidate, distance) }
        }
        if let best { return best.candidate }
        return candidates.first { candidate in
            let other = normalized(candidate)
            return min(other.count, wanted.count) >= 4 && (other.starts(with: wanted) || wanted.starts(with: other))
        }
    }

    /// Whether `a` and `b` differ by at most one slip of the hand: equal ignoring case, `_`, `-` and spaces, or but
    /// one insertion, deletion, substitution or swap of neighbours apart. Stricter than ``suggest(_:from:)``, for
    /// names whose neighbours are legitimately alike (`NO-NORD.pub` beside `NO-MIDT.pub`).
    package static func isSlip(_ a: String, _ b: String) -> Bool {
        editDistance(normalized(a), normalized(b)) <= 1
    }

    /// Lower case without `_`, `-` and spaces, as characters.
    static func normalized(_ text: String) -> [Character] {
        Array(text.lowercased().filter { $0 != "_" && $0 != "-" && $0 != " " })
    }

    /// Optimal-string-alignment distance: the fewest insertions, deletions, substitutions and adjacent swaps that
    /// turn `a` into `b`.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], previous2[j - 2] + 1)
                }
            }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[b.count]
    }
}
