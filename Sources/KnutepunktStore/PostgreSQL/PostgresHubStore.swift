import Foundation
import KnutepunktDomain
import KnutepunktGaps
import Logging
import PostgresNIO

/// The hub's store in a PostgreSQL database: for a centre that has outgrown one machine, and for several hub
/// processes sharing one database.
///
/// Exactly-once rests on the database, not on the hub: the event id and (source, seq) are unique constraints, each
/// batch commits in one transaction with `synchronous_commit = on` (the hub ACKs after `commit` returns), and an
/// insert that meets a row another hub committed is reported as already stored (`ON CONFLICT DO NOTHING`), never as
/// an error. Settled-through only grows (`GREATEST`), whichever hub writes it.
package final class PostgresHubStore: HubStore {
    let owner: PostgresConnectionOwner
    package var location: PostgresLocation { owner.location }

    private init(owner: PostgresConnectionOwner) {
        self.owner = owner
    }

    /// Connects to the database at `location` and creates or migrates its schema. The password is the URL's, else
    /// `KNUTEPUNKT_POSTGRES_PASSWORD` or `PGPASSWORD` from `environment`.
    package static func open(
        _ location: PostgresLocation,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger = Logger(label: "knutepunkt.store.postgres")
    ) throws(StoreError) -> PostgresHubStore {
        let owner = PostgresConnectionOwner(
            location: location,
            password: location.resolvedPassword(environment: environment),
            logger: logger
        )
        let store = PostgresHubStore(owner: owner)
        do {
            try PostgresSchema.migrate(owner)
        } catch {
            try? owner.close()
            throw error
        }
        return store
    }

    // MARK: - Events

    package func settledProgress() throws(StoreError) -> [String: UInt64] {
        try owner.with { session in
            var result: [String: UInt64] = [:]
            for row in try session.query("SELECT source, settled_through FROM sources") {
                let (source, through) = try row.decode((String, Int64).self)
                result[source] = UInt64(through)
            }
            return result
        }
    }

    package func sizeOnDisk() throws(StoreError) -> Int64 {
        try owner.with { session in
            for row in try session.query("SELECT pg_database_size(current_database())::BIGINT") {
                return try row.decode(Int64.self)
            }
            return 0
        }
    }

    package func lastHeard() throws(StoreError) -> [String: Date] {
        try owner.with { session in
            var result: [String: Date] = [:]
            for row in try session.query("SELECT source, last_heard_at FROM node_contact") {
                let (source, seconds) = try row.decode((String, Double).self)
                result[source] = Date(timeIntervalSince1970: seconds)
            }
            return result
        }
    }

    package func recordLastHeard(_ heard: [String: Date]) throws(StoreError) {
        guard !heard.isEmpty else { return }
        let sources = heard.keys.sorted()
        let times = sources.map { heard[$0]!.timeIntervalSince1970 }
        try owner.transaction { session in
            // Per node the later time wins, whichever hub writes it.
            try session.query(
                """
                INSERT INTO node_contact(source, last_heard_at)
                SELECT c.source, c.heard FROM unnest(\(sources)::text[], \(times)::float8[]) AS c(source, heard)
                ON CONFLICT (source) DO UPDATE SET
                    last_heard_at = GREATEST(node_contact.last_heard_at, excluded.last_heard_at)
                """
            )
        }
    }

    package func commit(_ batch: HubBatch, receivedAt: Date) throws(StoreError) -> HubCommitResult {
        if batch.isEmpty { return HubCommitResult() }
        let stamp = receivedAt.timeIntervalSince1970
        return try owner.transaction { session in
            // Versions of one event come from one node. Hubs sharing the database decide a node's versions one
            // after the other: each transaction holds its sources' locks (taken in order, so never in a cycle), and
            // reads what the other committed once it has them.
            for source in Set(batch.events.map(\.source)).sorted() {
                try session.query("SELECT pg_advisory_xact_lock(\(Self.sourceLockClass), hashtext(\(source)))")
            }
            let plan = try Self.plan(batch, session)
            var result = plan.result
            let order = plan.inserts.sorted {
                (batch.events[$0].source, batch.events[$0].sequence)
                    < (batch.events[$1].source, batch.events[$1].sequence)
            }
            if !order.isEmpty {
                let events = order.map { batch.events[$0] }
                let latest = order.map { !plan.supersededInBatch.contains($0) }
                var inserted = 0
                for row in try session.query(
                    """
                    INSERT INTO events(event_id, version, latest, withdrawn, source, seq, region, node, kind,
                                       occurred_on, received_at, payload)
                    SELECT e.event_id, e.version, e.latest, e.withdrawn, e.source, e.seq, e.region, e.node, e.kind,
                           e.occurred_on::date, \(stamp), e.payload
                    FROM unnest(\(events.map(\.eventID))::uuid[], \(events.map { Int32($0.version) })::int4[],
                                \(latest)::bool[], \(events.map(\.withdrawn))::bool[], \(events.map(\.source))::text[],
                                \(events.map { Int64($0.sequence) })::int8[], \(events.map(\.region))::text[],
                                \(events.map(\.node))::text[], \(events.map(\.cell.kind))::text[],
                                \(events.map(\.cell.date.iso))::text[],
                                \(events.map { ByteBuffer(bytes: $0.payload) })::bytea[])
                         AS e(event_id, version, latest, withdrawn, source, seq, region, node, kind, occurred_on,
                              payload)
                    ON CONFLICT DO NOTHING
                    RETURNING id
                    """
                ) {
                    inserted += 1
                    result.position = max(result.position, try row.decode(Int64.self))
                }
                guard inserted == events.count else {
                    // Another hub stored a version of one of these events for another node since they were read
                    // (the sources' locks do not cover that): nothing of this batch is kept, and its nodes resend
                    // it, to be decided against what is stored then.
                    throw StoreError(
                        code: .busy,
                        path: "\(location)",
                        message: "another hub stored one of these event ids at the same time; the batch is retried"
                    )
                }
            }
            if !plan.superseded.isEmpty {
                try session.query(
                    "UPDATE events SET latest = false WHERE id = ANY(\(plan.superseded.sorted())::int8[])"
                )
            }
            result.superseding.sort()
            try Self.apply(plan.counters, session)
            result.counted = plan.counters.added(beside: result.uncounted)
            var summary = plan.summary
            var rejections: [SourceSequence: (reason: String, detail: String)] = [:]
            for index in result.duplicateIDs {
                let event = batch.events[index]
                rejections[SourceSequence(source: event.source, sequence: event.sequence)] = (
                    "DUPLICATE_EVENT_ID", HubVersionStep.identicalDetail(event)
                )
            }
            for refused in result.refused {
                let event = batch.events[refused.index]
                rejections[SourceSequence(source: event.source, sequence: event.sequence)] = (
                    HubVersionStep.reasonName(refused.refusal), refused.refusal.message
                )
            }
            for rejection in batch.rejections {
                rejections[SourceSequence(source: rejection.source, sequence: rejection.sequence)] = (
                    rejection.reason, rejection.detail
                )
            }
            try Self.recordRejections(
                rejections.map {
                    Refusal(key: $0.key, reason: $0.value.reason, detail: $0.value.detail, receivedAt: stamp)
                },
                session,
                changes: &summary
            )
            try Self.apply(summary, session)
            if !batch.settled.isEmpty {
                let sources = batch.settled.keys.sorted()
                try session.query(
                    """
                    INSERT INTO sources(source, settled_through, updated_at)
                    SELECT s.source, s.through, \(stamp)
                    FROM unnest(\(sources)::text[], \(sources.map { Int64(batch.settled[$0]!) })::int8[])
                         AS s(source, through)
                    ON CONFLICT (source) DO UPDATE SET
                        settled_through = GREATEST(sources.settled_through, excluded.settled_through),
                        updated_at = excluded.updated_at
                    """
                )
            }
            try Self.insertTests(batch.tests, stamp: stamp, session)
            try Self.insertReturns(batch.returns, stamp: stamp, session)
            return result
        }
    }

    /// The advisory-lock class of the per-source locks of `commit` (the migration lock is a single key apart).
    static let sourceLockClass: Int32 = 0x6B70_7376  // "kpsv"

    /// What one batch does, decided in memory against what is stored (read in two statements) and what the batch
    /// stored before each event: the same decisions, in the same order, as the SQLite store makes row by row.
    struct Plan {
        var result = HubCommitResult()
        /// Indices of the events to insert.
        var inserts: [Int] = []
        /// Stored rows a version of this batch supersedes.
        var superseded: Set<Int64> = []
        /// Indices of inserted versions a later version of the same batch supersedes (inserted as not latest).
        var supersededInBatch: Set<Int> = []
        var counters = ActivityCounters()
        /// The changes to the status counts of the rows inserted and superseded.
        var summary = HubCountSummary()
    }

    static func plan(_ batch: HubBatch, _ session: PostgresConnectionOwner.Session) throws -> Plan {
        var rows: [UUID: [StoredVersionRow]] = [:]
        let ids = Array(Set(batch.events.map(\.eventID)))
        for row in try session.query(
            """
            SELECT id, event_id, version, source, seq, region, node, withdrawn, latest, payload FROM events
            WHERE event_id = ANY(\(ids)::uuid[])
            """
        ) {
            let (rowID, eventID, version, source, seq, region, node, withdrawn, latest, payload) = try row.decode(
                (Int64, UUID, Int32, String, Int64, String, String, Bool, Bool, ByteBuffer).self
            )
            rows[eventID, default: []].append(
                StoredVersionRow(
                    rowID: rowID,
                    version: Int(version),
                    source: source,
                    sequence: UInt64(seq),
                    region: region,
                    node: node,
                    withdrawn: withdrawn,
                    latest: latest,
                    payload: Array(buffer: payload)
                )
            )
        }
        // A (source, seq) stored under another event id (a resend after the node's outbox was replaced) is settled,
        // as the insert's conflict makes it in SQLite.
        var taken: Set<SourceSequence> = []
        for row in try session.query(
            """
            SELECT k.source, k.seq FROM unnest(\(batch.events.map(\.source))::text[],
                                               \(batch.events.map { Int64($0.sequence) })::int8[]) AS k(source, seq)
            WHERE EXISTS (SELECT 1 FROM events e WHERE e.source = k.source AND e.seq = k.seq)
            """
        ) {
            let (source, seq) = try row.decode((String, Int64).self)
            taken.insert(SourceSequence(source: source, sequence: UInt64(seq)))
        }
        var plan = Plan()
        for (index, event) in batch.events.enumerated() {
            let held = rows[event.eventID] ?? []
            let step = HubVersionStep.decide(event, rows: held, locks: batch.locks)
            if case .insert = step, taken.contains(SourceSequence(source: event.source, sequence: event.sequence)) {
                plan.result.alreadyStored.append(index)
                continue
            }
            switch step {
            case .insert(let superseding):
                plan.inserts.append(index)
                var updated = held
                if let superseding, let position = updated.firstIndex(of: superseding) {
                    updated[position].latest = false
                    if superseding.rowID < 0 {
                        plan.supersededInBatch.insert(Int(-superseding.rowID) - 1)
                    } else {
                        plan.superseded.insert(superseding.rowID)
                    }
                    plan.result.superseding.append(index)
                }
                plan.summary.count(event, superseding: superseding)
                plan.result.countedChange += plan.counters.count(
                    event,
                    superseding: superseding,
                    uncounted: &plan.result.uncounted
                )
                // Rows this batch inserts have negative ids: -(index + 1).
                updated.append(
                    StoredVersionRow(
                        rowID: -Int64(index) - 1,
                        version: event.version,
                        source: event.source,
                        sequence: event.sequence,
                        region: event.region,
                        node: event.node,
                        withdrawn: event.withdrawn,
                        latest: true,
                        payload: event.payload
                    )
                )
                rows[event.eventID] = updated
            case .alreadyStored:
                plan.result.alreadyStored.append(index)
            case .identical:
                plan.result.duplicateIDs.append(index)
            case .refused(let refusal):
                plan.result.refused.append(HubCommitResult.Refused(index: index, refusal: refusal))
            }
        }
        return plan
    }

    /// Adds the batch's counts to their cells and removes the cells a correction or withdrawal emptied.
    static func apply(_ counters: ActivityCounters, _ session: PostgresConnectionOwner.Session) throws {
        let changedCells = counters.changedCells
        var changed = ActivityCounters()
        for (cell, count) in changedCells { changed.add(cell, count) }
        try addCounts(changed, session)
        let emptied = changedCells.filter { $0.1.events < 0 }.map(\.0)
        guard !emptied.isEmpty else { return }
        try session.query(
            """
            DELETE FROM activity_counts a
            USING unnest(\(emptied.map(\.region))::text[], \(emptied.map(\.node))::text[],
                         \(emptied.map(\.date.iso))::text[], \(emptied.map(\.kind))::text[],
                         \(emptied.map(\.tier))::text[], \(emptied.map(\.funding))::text[],
                         \(emptied.map { ActivityCell.joined($0.targetGroups) })::text[],
                         \(emptied.map { ActivityCell.joined($0.ageBands) })::text[],
                         \(emptied.map { ActivityCell.joined($0.professions) })::text[],
                         \(emptied.map { ActivityCell.joined($0.programmes) })::text[])
                  AS c(region, node, occurred_on, kind, tier, funding, target_groups, age_bands, professions,
                       programmes)
            WHERE a.region = c.region AND a.node = c.node AND a.occurred_on = c.occurred_on::date
              AND a.kind = c.kind AND a.tier = c.tier AND a.funding = c.funding AND a.target_groups = c.target_groups
              AND a.age_bands = c.age_bands AND a.professions = c.professions AND a.programmes = c.programmes
              AND a.events <= 0
            """
        )
    }

    /// Adds counters to their cells (creating new cells), one statement, in cell order.
    static func addCounts(_ counters: ActivityCounters, _ session: PostgresConnectionOwner.Session) throws {
        if counters.cells.isEmpty { return }
        let cells = counters.cells.keys.sorted()
        let counts = cells.map { counters.cells[$0]! }
        try session.query(
            """
            INSERT INTO activity_counts(region, node, occurred_on, kind, tier, funding, target_groups, age_bands,
                                        professions, programmes, events, families, participants, sessions)
            SELECT c.region, c.node, c.occurred_on::date, c.kind, c.tier, c.funding, c.target_groups, c.age_bands,
                   c.professions, c.programmes, c.events, c.families, c.participants, c.sessions
            FROM unnest(\(cells.map(\.region))::text[], \(cells.map(\.node))::text[],
                        \(cells.map(\.date.iso))::text[], \(cells.map(\.kind))::text[], \(cells.map(\.tier))::text[],
                        \(cells.map(\.funding))::text[], \(cells.map { ActivityCell.joined($0.targetGroups) })::text[],
                        \(cells.map { ActivityCell.joined($0.ageBands) })::text[],
                        \(cells.map { ActivityCell.joined($0.professions) })::text[],
                        \(cells.map { ActivityCell.joined($0.programmes) })::text[],
                        \(counts.map { Int64($0.events) })::int8[], \(counts.map { Int64($0.families) })::int8[],
                        \(counts.map { Int64($0.participants) })::int8[], \(counts.map { Int64($0.sessions) })::int8[])
                 AS c(region, node, occurred_on, kind, tier, funding, target_groups, age_bands, professions,
                      programmes, events, families, participants, sessions)
            ON CONFLICT (region, node, occurred_on, kind, tier, funding, target_groups, age_bands, professions,
                         programmes)
            DO UPDATE SET
                events = activity_counts.events + excluded.events,
                families = activity_counts.families + excluded.families,
                participants = activity_counts.participants + excluded.participants,
                sessions = activity_counts.sessions + excluded.sessions
            """
        )
    }

    static func single(_ session: PostgresConnectionOwner.Session, _ sql: String) throws -> Int {
        for row in try session.query(PostgresQuery(unsafeSQL: sql)) {
            return Int(try row.decode(Int64.self))
        }
        return 0
    }

    package func storedKeys() throws(StoreError) -> [(source: String, sequence: UInt64, eventID: UUID)] {
        try owner.with { session in
            try session.query("SELECT source, seq, event_id FROM events ORDER BY source, seq").map { row in
                let (source, seq, id) = try row.decode((String, Int64, UUID).self)
                return (source, UInt64(seq), id)
            }
        }
    }

    /// Rows read per round trip when walking every event (bounded memory on any store size).
    static let pageSize = 2000

    /// The events that count: each event's latest version, unless it withdraws the event.
    static let counting = "latest AND NOT withdrawn"

    package func forEachPayload(_ body: ([UInt8]) throws -> Void) throws(StoreError) {
        var position: Int64 = 0
        while true {
            let page = try storedEvents(after: position, limit: Self.pageSize)
            guard let last = page.last else { return }
            do {
                for event in page where event.latest && !event.withdrawn { try body(event.payload) }
            } catch {
                throw StoreError(postgres: error, location: location)
            }
            position = last.position
        }
    }

    package func history(of id: UUID) throws(StoreError) -> [HubEventVersion] {
        try owner.with { session in
            try session.query(
                """
                SELECT version, source, seq, received_at, withdrawn, latest, payload FROM events
                WHERE event_id = \(id) ORDER BY version
                """
            ).map { row in
                let (version, source, seq, received, withdrawn, latest, payload) = try row.decode(
                    (Int32, String, Int64, Double, Bool, Bool, ByteBuffer).self
                )
                return HubEventVersion(
                    version: Int(version),
                    source: source,
                    sequence: UInt64(seq),
                    receivedAt: Date(timeIntervalSince1970: received),
                    withdrawn: withdrawn,
                    latest: latest,
                    payload: Array(buffer: payload)
                )
            }
        }
    }

    package func forEachActivityCount(_ body: (ActivityCell, ActivityCount) throws -> Void) throws(StoreError) {
        let rows = try owner.with { session in try Self.activityCounts(session) }
        do {
            for case let (cell, count)? in rows { try body(cell, count) }
        } catch {
            throw StoreError(postgres: error, location: location)
        }
    }

    /// Every cell of the activity counters (nil for a row whose date does not read), read in `session`.
    static func activityCounts(
        _ session: PostgresConnectionOwner.Session
    ) throws -> [(ActivityCell, ActivityCount)?] {
        try session.query(
            """
            SELECT region, node, occurred_on::text, kind, tier, funding, target_groups, age_bands, professions,
                   programmes, events, families, participants, sessions FROM activity_counts
            """
        ).map { row -> (ActivityCell, ActivityCount)? in
            let (region, node, day, kind, tier, funding, groups, ages, professions, programmes) = try row.decode(
                (String, String, String, String, String, String, String, String, String, String).self
            )
            let cells = row.makeRandomAccess()
            guard let date = LocalDate(iso: day) else { return nil }
            let cell = ActivityCell(
                normalised: (),
                region: region,
                node: node,
                kind: kind,
                tier: tier,
                funding: funding,
                date: date,
                targetGroups: ActivityCell.split(groups),
                ageBands: ActivityCell.split(ages),
                professions: ActivityCell.split(professions),
                programmes: ActivityCell.split(programmes)
            )
            let count = ActivityCount(
                events: Int(try cells[10].decode(Int64.self)),
                families: Int(try cells[11].decode(Int64.self)),
                participants: Int(try cells[12].decode(Int64.self)),
                sessions: Int(try cells[13].decode(Int64.self))
            )
            return (cell, count)
        }
    }

    package func activityCountCoverage() throws(StoreError) -> (counted: Int, stored: Int) {
        // One statement, so one snapshot: another hub's commit cannot land between the two figures.
        try owner.with { session in
            for row in try session.query(
                """
                SELECT (SELECT COALESCE(SUM(events), 0) FROM activity_counts)::bigint,
                       (SELECT COUNT(*) FROM events WHERE latest AND NOT withdrawn)
                """
            ) {
                let (counted, stored) = try row.decode((Int64, Int64).self)
                return (Int(counted), Int(stored))
            }
            return (0, 0)
        }
    }

    package func rebuildActivityCounts(
        _ cellOf: @escaping @Sendable ([UInt8]) -> (ActivityCell, ActivityCount)?
    ) throws(StoreError) -> ActivityCountRebuild {
        try owner.transaction { session in
            // Hubs' commits wait meanwhile (they take ROW EXCLUSIVE on events), so none is missed or counted twice.
            try session.run("LOCK TABLE events, activity_counts IN SHARE ROW EXCLUSIVE MODE")
            try session.run("DELETE FROM activity_counts")
            try Self.invalidateCheckpoint(session)
            var result = ActivityCountRebuild(stored: 0, counted: 0, cells: 0)
            var pending = ActivityCounters()
            var after: Int64 = 0
            while true {
                let page = try session.query(
                    "SELECT id, payload FROM events WHERE id > \(after) AND \(unescaped: Self.counting) ORDER BY id LIMIT \(Self.pageSize)"
                ).map { row in try row.decode((Int64, ByteBuffer).self) }
                guard let last = page.last else { break }
                result.stored += page.count
                for case let (cell, count)? in StoredCells.read(page.map { Array(buffer: $0.1) }, cellOf) {
                    result.counted += 1
                    pending.add(cell, count)
                }
                // Bounded memory on any store size: flush every so many distinct cells (flushes add up).
                if pending.cells.count >= 50_000 {
                    try Self.addCounts(pending, session)
                    pending = ActivityCounters()
                }
                after = last.0
            }
            try Self.addCounts(pending, session)
            result.cells = try Self.single(session, "SELECT COUNT(*) FROM activity_counts")
            return result
        }
    }

    // MARK: - Gaps

    package func loadGaps() throws(StoreError) -> StoredGaps? {
        try owner.with { session in
            var state: (String, Int64)?
            for row in try session.query("SELECT epoch, sequence FROM gap_state WHERE id = 1") {
                state = try row.decode((String, Int64).self)
            }
            guard let (epoch, sequence) = state else { return nil }
            let open = try session.query(
                """
                SELECT finding, opened_on::text, last_evaluated::text FROM gaps WHERE closed_on IS NULL
                ORDER BY gap_key
                """
            ).map { row in
                let (finding, opened, evaluated) = try row.decode((String, String, String).self)
                return GapLifecycle.OpenGap(
                    finding: try GapFinding(storedJSON: finding),
                    openedOn: try Self.date(opened, "opened_on"),
                    lastEvaluated: try Self.date(evaluated, "last_evaluated")
                )
            }
            return StoredGaps(epoch: epoch, sequence: UInt64(sequence), open: open)
        }
    }

    private static func date(_ text: String, _ column: String) throws -> LocalDate {
        guard let date = LocalDate(iso: text) else {
            throw StoreError(code: .corrupt, path: "gaps.\(column)", message: "holds \(text), not a date")
        }
        return date
    }

    package func saveGaps(_ gaps: StoredGaps, changes: [GapLifecycle.Update]) throws(StoreError) {
        try owner.transaction { session in
            for update in changes {
                let (gap, name, day): (GapLifecycle.OpenGap, String, LocalDate) =
                    switch update.change {
                    case .opened(let gap): (gap, "opened", gap.lastEvaluated)
                    case .changed(let gap): (gap, "changed", gap.lastEvaluated)
                    case .closed(let gap, let closedOn): (gap, "closed", closedOn)
                    }
                let finding = try gap.finding.storedJSON()
                switch update.change {
                case .opened:
                    // Another hub on the same database may have opened the same gap first: its row stands.
                    try session.query(
                        """
                        INSERT INTO gaps(gap_key, rule, region, severity, opened_on, last_evaluated, finding)
                        VALUES (\(gap.finding.key), \(gap.finding.rule.rawValue), \(gap.finding.region),
                                \(gap.finding.severity.rawValue), \(gap.openedOn.iso)::date,
                                \(gap.lastEvaluated.iso)::date, \(finding))
                        ON CONFLICT (gap_key) WHERE closed_on IS NULL DO NOTHING
                        """
                    )
                case .changed:
                    break  // the refresh of every open gap below writes it
                case .closed:
                    try session.query(
                        """
                        UPDATE gaps SET closed_on = \(day.iso)::date
                        WHERE gap_key = \(gap.finding.key) AND closed_on IS NULL
                        """
                    )
                }
                try session.query(
                    """
                    INSERT INTO gap_changes(sequence, epoch, gap_key, change, on_date, gap)
                    VALUES (\(Int64(update.sequence)), \(gaps.epoch), \(gap.finding.key), \(name), \(day.iso)::date,
                            \(finding))
                    ON CONFLICT (sequence) DO NOTHING
                    """
                )
            }
            for gap in gaps.open {
                try session.query(
                    """
                    UPDATE gaps SET severity = \(gap.finding.severity.rawValue),
                                    last_evaluated = \(gap.lastEvaluated.iso)::date,
                                    finding = \(try gap.finding.storedJSON())
                    WHERE gap_key = \(gap.finding.key) AND closed_on IS NULL
                    """
                )
            }
            try session.query(
                """
                INSERT INTO gap_state(id, epoch, sequence) VALUES (1, \(gaps.epoch), \(Int64(gaps.sequence)))
                ON CONFLICT (id) DO UPDATE SET epoch = excluded.epoch, sequence = excluded.sequence
                """
            )
        }
    }

    package func gapHistory(limit: Int) throws(StoreError) -> [StoredGapEntry] {
        try owner.with { session in
            try session.query(
                """
                SELECT finding, opened_on::text, last_evaluated::text, closed_on::text FROM gaps
                ORDER BY opened_on DESC, id DESC LIMIT \(Int64(limit))
                """
            ).map { row in
                let (finding, opened, evaluated, closed) = try row.decode((String, String, String, String?).self)
                return StoredGapEntry(
                    finding: try GapFinding(storedJSON: finding),
                    openedOn: try Self.date(opened, "opened_on"),
                    lastEvaluated: try Self.date(evaluated, "last_evaluated"),
                    closedOn: closed.flatMap { LocalDate(iso: $0) }
                )
            }
        }
    }

    package func close() throws(StoreError) {
        try owner.close()
    }
}

/// One event's place in its source's sequence space.
struct SourceSequence: Hashable, Comparable {
    var source: String
    var sequence: UInt64

    static func < (lhs: SourceSequence, rhs: SourceSequence) -> Bool {
        (lhs.source, lhs.sequence) < (rhs.source, rhs.sequence)
    }
}
