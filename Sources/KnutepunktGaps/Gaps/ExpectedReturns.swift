import KnutepunktDomain

/// Which monthly returns each local node owed and which came in (DOMAIN.md §6: a unit is *expected* to report each
/// period it is open; a return, a nil return included, is *received*). The seam for the reporting periods: the hub
/// does not record returns yet, and until it does `GapFacts.returns` is nil and silence is read from the nodes'
/// reports and contact alone. Once set, a region with a return missing for a month the window reads gets one "no
/// report" finding (D1) and no service gap, and the periods the store covers start at its first return.
package struct ExpectedReturns: Sendable, Hashable {
    /// Per local node, the first day of each month a return was expected for.
    package var expected: [String: Set<LocalDate>]
    /// Per local node, the first day of each month whose return came in (complete or nil).
    package var received: [String: Set<LocalDate>]

    package init(expected: [String: Set<LocalDate>] = [:], received: [String: Set<LocalDate>] = [:]) {
        self.expected = expected
        self.received = received
    }

    /// The months (first days) in `from...to` whose expected return from `node` has not come in, sorted.
    package func missing(node: String, from: LocalDate, to: LocalDate) -> [LocalDate] {
        let received = self.received[node] ?? []
        return (expected[node] ?? []).filter { $0 >= from && $0 <= to && !received.contains($0) }.sorted()
    }

    /// Whether `node` owes monthly returns: the taxonomy expects them and at least one is due (or came in). Such a
    /// node reports by its returns, not by its activity.
    package func owesReturns(_ node: String) -> Bool {
        !(expected[node] ?? []).isEmpty
    }

    /// The first month any of `nodes` made a return for; nil: none.
    package func firstReceived(nodes: [String]) -> LocalDate? {
        nodes.compactMap { received[$0]?.min() }.min()
    }
}
