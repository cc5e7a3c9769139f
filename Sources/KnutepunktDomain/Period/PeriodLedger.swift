import Foundation

/// Sign-off and lock of a region's month (DOMAIN.md §6): the regional lead signs the month off, the national centre
/// accepts it, and an accepted month is **locked** — activities, corrections, withdrawals and returns dated in it are
/// refused (`PERIOD_LOCKED`) — until the national centre reopens it with a reason. Every step is kept (who, in which
/// role, when, why): the ledger is the history, and the state of a month is its last step.
package struct PeriodLedger: Sendable, Hashable {
    /// Who may take which step.
    package enum Role: String, Sendable, Hashable, Codable, CaseIterable {
        /// Makes returns at the node; takes no step here.
        case coordinator
        /// The regional lead: signs off the months of their own region.
        case lead
        /// The national analyst: accepts signed-off months (locking them) and reopens them.
        case analyst
    }

    /// One step.
    package struct Step: Sendable, Hashable, Codable {
        package enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
            case signOff = "sign-off"
            case accept
            case reopen
        }

        package var region: String
        /// `YYYY-MM`.
        package var month: String
        package var kind: Kind
        /// The name the person signed in with.
        package var by: String
        package var role: Role
        /// When the hub recorded it, UTC `YYYY-MM-DDThh:mm:ssZ`.
        package var at: String
        /// Why (required to reopen).
        package var reason: String?

        package init(region: String, month: String, kind: Kind, by: String, role: Role, at: String, reason: String?) {
            self.region = region
            self.month = month
            self.kind = kind
            self.by = by
            self.role = role
            self.at = at
            self.reason = reason
        }
    }

    /// Where a region's month stands.
    package enum State: Sendable, Hashable {
        case open
        case signedOff(Step)
        /// Accepted: locked, by this step.
        case locked(Step)
    }

    /// A locked month, as nodes and the hub enforce it.
    package struct Lock: Sendable, Hashable, Codable {
        package var region: String
        /// `YYYY-MM`.
        package var month: String
        package var lockedBy: String
        package var lockedAt: String

        package init(region: String, month: String, lockedBy: String, lockedAt: String) {
            self.region = region
            self.month = month
            self.lockedBy = lockedBy
            self.lockedAt = lockedAt
        }

        /// The refusal's text: the month, the region and who locked it, and what to do.
        package var refusal: String {
            "\(month) is locked for \(region) (accepted by \(lockedBy) at \(lockedAt)); nothing was stored. Only the "
                + "national centre can reopen the month, with a reason"
        }
    }

    /// Every step, oldest first.
    package private(set) var steps: [Step]

    package init(steps: [Step] = []) {
        self.steps = steps
    }

    /// The state of `region`'s `month`.
    package func state(region: String, month: String) -> State {
        guard let last = steps.last(where: { $0.region == region && $0.month == month }) else { return .open }
        switch last.kind {
        case .signOff: return .signedOff(last)
        case .accept: return .locked(last)
        case .reopen: return .open
        }
    }

    /// Every locked month, in region and month order.
    package var locks: [Lock] {
        var latest: [String: Step] = [:]
        for step in steps { latest["\(step.region) \(step.month)"] = step }
        return latest.values.filter { $0.kind == .accept }
            .map { Lock(region: $0.region, month: $0.month, lockedBy: $0.by, lockedAt: $0.at) }
            .sorted { ($0.region, $0.month) < ($1.region, $1.month) }
    }

    /// The history of one region's month (nil: every month), oldest first.
    package func history(region: String? = nil, month: String? = nil) -> [Step] {
        steps.filter { (region == nil || $0.region == region) && (month == nil || $0.month == month) }
    }

    /// Checks `step` against the rules and the month's state; on success it joins the ledger. The refusal says why.
    ///
    /// - A regional lead (`actorRegion` their region) signs off a month of their own region that is over and open.
    /// - The national analyst accepts a signed-off month: it is locked.
    /// - The national analyst reopens a signed-off or locked month, with a reason: it is open again.
    package mutating func apply(_ step: Step, actorRegion: String?, today: LocalDate) -> Result<State, Refusal> {
        let place = "\(step.region) \(step.month)"
        guard let month = ReportingMonth(text: step.month) else {
            return .failure(Refusal("\(step.month) is not a month; write YYYY-MM"))
        }
        let state = state(region: step.region, month: step.month)
        switch step.kind {
        case .signOff:
            guard step.role == .lead else {
                return .failure(Refusal("only a regional lead signs off a month; \(step.by) is \(step.role.rawValue)"))
            }
            guard actorRegion == step.region else {
                return .failure(Refusal("\(step.by) leads \(actorRegion ?? "no region"), not \(step.region)"))
            }
            guard month.last < today else {
                return .failure(Refusal("\(step.month) is not over yet; sign it off after its last day"))
            }
            guard case .open = state else {
                return .failure(Refusal("\(place) is already \(Self.describe(state))"))
            }
        case .accept:
            guard step.role == .analyst else {
                return .failure(
                    Refusal("only the national centre (analyst) accepts a month; \(step.by) is \(step.role.rawValue)")
                )
            }
            guard case .signedOff = state else {
                return .failure(Refusal("\(place) is \(Self.describe(state)); the regional lead signs it off first"))
            }
        case .reopen:
            guard step.role == .analyst else {
                return .failure(
                    Refusal("only the national centre (analyst) reopens a month; \(step.by) is \(step.role.rawValue)")
                )
            }
            guard !(step.reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty else {
                return .failure(Refusal("reopening \(place) needs a reason"))
            }
            if case .open = state { return .failure(Refusal("\(place) is open already")) }
        }
        steps.append(step)
        return .success(self.state(region: step.region, month: step.month))
    }

    /// Why a step was refused.
    package struct Refusal: Error, Sendable, Hashable, CustomStringConvertible {
        package var message: String
        package init(_ message: String) { self.message = message }
        package var description: String { message }
    }

    /// "open", "signed off by kari at …", "locked (accepted by nina at …)".
    package static func describe(_ state: State) -> String {
        switch state {
        case .open: "open"
        case .signedOff(let step): "signed off by \(step.by) at \(step.at)"
        case .locked(let step): "locked (accepted by \(step.by) at \(step.at))"
        }
    }
}

/// The locks a daemon enforces, numbered so that a node keeps the newest set it has seen.
package struct PeriodLocks: Sendable, Hashable, Codable {
    /// Grows with every change at the hub (the number of steps recorded).
    package var version: UInt64
    package var locks: [PeriodLedger.Lock]

    package init(version: UInt64 = 0, locks: [PeriodLedger.Lock] = []) {
        self.version = version
        self.locks = locks
    }

    /// The lock on `region`'s month of `date`, if it is locked.
    package func lock(region: String, date: LocalDate) -> PeriodLedger.Lock? {
        lock(region: region, month: ReportingMonth(date))
    }

    /// The lock on `region`'s `month`, if it is locked.
    package func lock(region: String, month: ReportingMonth) -> PeriodLedger.Lock? {
        let text = month.text
        return locks.first { $0.region == region && $0.month == text }
    }

    /// The validation issue a refused submission gets.
    package static func issue(_ lock: PeriodLedger.Lock, field: String = "date") -> ValidationIssue {
        ValidationIssue(field: field, code: .periodLocked, message: lock.refusal)
    }
}
