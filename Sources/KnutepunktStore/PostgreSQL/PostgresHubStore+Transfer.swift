import Foundation
import PostgresNIO

extension PostgresHubStore {
    package func storedEvents(after position: Int64, limit: Int) throws(StoreError) -> [HubStoredEvent] {
        try owner.with { session in
            try session.query(
                """
                SELECT id, source, seq, event_id, region, node, kind, occurred_on::text, received_at, payload,
                       version, latest, withdrawn
                FROM events WHERE id > \(position) ORDER BY id LIMIT \(Int64(limit))
                """
            ).map { row in
                let (id, source, seq, eventID, region, node, kind, day, received, payload) = try row.decode(
                    (Int64, String, Int64, UUID, String, String, String, String, Double, ByteBuffer).self
                )
                let flags = row.makeRandomAccess()
                let version = Int(try flags[10].decode(Int32.self))
                let latest = try flags[11].decode(Bool.self)
                let withdrawn = try flags[12].decode(Bool.self)
                return HubStoredEvent(
                    position: id,
                    source: source,
                    sequence: UInt64(seq),
                    eventID: eventID,
                    region: region,
                    node: node,
                    kind: kind,
                    occurredOn: day,
                    receivedAt: received,
                    payload: Array(buffer: payload),
                    version: version,
                    latest: latest,
                    withdrawn: withdrawn
                )
            }
        }
    }

    package func insertCopied(_ events: [HubStoredEvent]) throws(StoreError) -> Int {
        if events.isEmpty { return 0 }
        return try owner.transaction { session in
            // Copied rows are not in the checkpoint's days, nor in the counters until the remainder comes.
            try Self.invalidateCheckpoint(session)
            let rows = try session.query(
                """
                INSERT INTO events(event_id, source, seq, region, node, kind, occurred_on, received_at, payload,
                                   version, latest, withdrawn)
                SELECT e.event_id, e.source, e.seq, e.region, e.node, e.kind, e.occurred_on::date, e.received_at,
                       e.payload, e.version, e.latest, e.withdrawn
                FROM unnest(\(events.map(\.eventID))::uuid[], \(events.map(\.source))::text[],
                            \(events.map { Int64($0.sequence) })::int8[], \(events.map(\.region))::text[],
                            \(events.map(\.node))::text[], \(events.map(\.kind))::text[],
                            \(events.map(\.occurredOn))::text[], \(events.map(\.receivedAt))::float8[],
                            \(events.map { ByteBuffer(bytes: $0.payload) })::bytea[],
                            \(events.map { Int32($0.version) })::int4[], \(events.map(\.latest))::bool[],
                            \(events.map(\.withdrawn))::bool[])
                     AS e(event_id, source, seq, region, node, kind, occurred_on, received_at, payload, version,
                          latest, withdrawn)
                ORDER BY e.source, e.seq
                ON CONFLICT DO NOTHING
                RETURNING source, region, node, latest, withdrawn
                """
            )
            // The status counts follow the rows as copied (with their latest and withdrawn flags).
            var summary = HubCountSummary()
            var inserted = 0
            for row in rows {
                let (source, region, node, latest, withdrawn) = try row.decode(
                    (String, String, String, Bool, Bool).self
                )
                summary.stored(
                    HubCountSummary.Key(source: source, region: region, node: node),
                    latest: latest,
                    withdrawn: withdrawn
                )
                inserted += 1
            }
            try Self.apply(summary, session)
            return inserted
        }
    }

    package func remainder() throws(StoreError) -> HubStoreRemainder {
        var result = try owner.transaction(snapshot: true) { session in
            var result = HubStoreRemainder()
            result.rejections = try session.query(
                "SELECT source, seq, reason, detail, received_at FROM rejections ORDER BY source, seq"
            ).map { row in
                let (source, seq, reason, detail, received) = try row.decode(
                    (String, Int64, String, String, Double).self
                )
                return HubStoreRemainder.Rejection(
                    record: HubRejectionRecord(source: source, sequence: UInt64(seq), reason: reason, detail: detail),
                    receivedAt: received
                )
            }
            for row in try session.query("SELECT source, settled_through, updated_at FROM sources") {
                let (source, through, updated) = try row.decode((String, Int64, Double).self)
                result.progress[source] = HubStoreRemainder.Progress(
                    settledThrough: UInt64(through),
                    updatedAt: updated
                )
            }
            result.gaps = try session.query(
                """
                SELECT gap_key, rule, region, severity, opened_on::text, last_evaluated::text, closed_on::text, finding
                FROM gaps ORDER BY id
                """
            ).map { row in
                let (key, rule, region, severity, opened, evaluated, closed, finding) = try row.decode(
                    (String, String, String?, String, String, String, String?, String).self
                )
                return HubStoreRemainder.Gap(
                    key: key,
                    rule: rule,
                    region: region,
                    severity: severity,
                    openedOn: opened,
                    lastEvaluated: evaluated,
                    closedOn: closed,
                    finding: finding
                )
            }
            result.gapChanges = try session.query(
                "SELECT sequence, epoch, gap_key, change, on_date::text, gap FROM gap_changes ORDER BY sequence"
            ).map { row in
                let (sequence, epoch, key, change, day, gap) = try row.decode(
                    (Int64, String, String, String, String, String).self
                )
                return HubStoreRemainder.GapChange(
                    sequence: UInt64(sequence),
                    epoch: epoch,
                    key: key,
                    change: change,
                    onDate: day,
                    gap: gap
                )
            }
            for row in try session.query("SELECT epoch, sequence FROM gap_state WHERE id = 1") {
                let (epoch, sequence) = try row.decode((String, Int64).self)
                result.gapState = (epoch, UInt64(sequence))
            }
            return result
        }
        result.counters = try activityCounters()
        return result
    }

    package func replaceRemainder(_ remainder: HubStoreRemainder) throws(StoreError) {
        try owner.transaction { session in
            try Self.invalidateCheckpoint(session)
            var summary = HubCountSummary()
            try Self.recordRejections(
                remainder.rejections.map {
                    Refusal(
                        key: SourceSequence(source: $0.record.source, sequence: $0.record.sequence),
                        reason: $0.record.reason,
                        detail: $0.record.detail,
                        receivedAt: $0.receivedAt
                    )
                },
                session,
                changes: &summary
            )
            try Self.apply(summary, session)
            let sources = remainder.progress.keys.sorted()
            if !sources.isEmpty {
                try session.query(
                    """
                    INSERT INTO sources(source, settled_through, updated_at)
                    SELECT * FROM unnest(\(sources)::text[],
                                         \(sources.map { Int64(remainder.progress[$0]!.settledThrough) })::int8[],
                                         \(sources.map { remainder.progress[$0]!.updatedAt })::float8[])
                    ON CONFLICT (source) DO UPDATE SET
                        settled_through = GREATEST(sources.settled_through, excluded.settled_through),
                        updated_at = GREATEST(sources.updated_at, excluded.updated_at)
                    """
                )
            }
            try session.run("DELETE FROM activity_counts")
            try Self.addCounts(remainder.counters, session)
            try session.run("DELETE FROM gap_changes")
            try session.run("DELETE FROM gap_state")
            try session.run("DELETE FROM gaps")
            for gap in remainder.gaps {
                try session.query(
                    """
                    INSERT INTO gaps(gap_key, rule, region, severity, opened_on, last_evaluated, closed_on, finding)
                    VALUES (\(gap.key), \(gap.rule), \(gap.region), \(gap.severity), \(gap.openedOn)::date,
                            \(gap.lastEvaluated)::date, \(gap.closedOn)::date, \(gap.finding))
                    """
                )
            }
            for change in remainder.gapChanges {
                try session.query(
                    """
                    INSERT INTO gap_changes(sequence, epoch, gap_key, change, on_date, gap)
                    VALUES (\(Int64(change.sequence)), \(change.epoch), \(change.key), \(change.change),
                            \(change.onDate)::date, \(change.gap))
                    """
                )
            }
            if let state = remainder.gapState {
                try session.query(
                    "INSERT INTO gap_state(id, epoch, sequence) VALUES (1, \(state.epoch), \(Int64(state.sequence)))"
                )
            }
        }
    }
}
