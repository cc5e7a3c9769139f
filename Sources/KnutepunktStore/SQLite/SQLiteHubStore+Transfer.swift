import Foundation
import GRDB

extension SQLiteHubStore {
    package func storedEvents(after position: Int64, limit: Int) throws(StoreError) -> [HubStoredEvent] {
        do {
            return try reading { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT id, source, seq, event_id, region, node, kind, occurred_on, received_at, payload,
                               version, latest, withdrawn
                        FROM events WHERE id > ? ORDER BY id LIMIT ?
                        """,
                    arguments: [position, limit]
                ).map { row in
                    let id: String = row["event_id"]
                    guard let eventID = UUID(uuidString: id) else {
                        throw DatabaseError(message: "events.event_id holds \(id), not a UUID")
                    }
                    let payload: Data = row["payload"]
                    return HubStoredEvent(
                        position: row["id"],
                        source: row["source"],
                        sequence: UInt64(row["seq"] as Int64),
                        eventID: eventID,
                        region: row["region"],
                        node: row["node"],
                        kind: row["kind"],
                        occurredOn: row["occurred_on"],
                        receivedAt: row["received_at"],
                        payload: [UInt8](payload),
                        version: row["version"],
                        latest: row["latest"],
                        withdrawn: row["withdrawn"]
                    )
                }
            }
        } catch {
            throw StoreError(error, path: path)
        }
    }

    package func insertCopied(_ events: [HubStoredEvent]) throws(StoreError) -> Int {
        do {
            return try writing { db in
                // Copied rows are not in the checkpoint's days, nor in the counters until the remainder comes.
                try Self.invalidateCheckpoint(in: db)
                let insert = try db.cachedStatement(
                    sql: """
                        INSERT OR IGNORE INTO events(event_id, source, seq, region, node, kind, occurred_on, received_at,
                                                     payload, version, latest, withdrawn)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """
                )
                var inserted = 0
                var summary = HubCountSummary()
                for event in events {
                    try insert.execute(arguments: [
                        event.eventID.uuidString.lowercased(), event.source, Int64(event.sequence), event.region,
                        event.node, event.kind, event.occurredOn, event.receivedAt, Data(event.payload),
                        event.version, event.latest, event.withdrawn,
                    ])
                    guard db.changesCount > 0 else { continue }
                    inserted += 1
                    summary.stored(event.summaryKey, latest: event.latest, withdrawn: event.withdrawn)
                }
                // The status counts follow the rows as copied (with their latest and withdrawn flags).
                try Self.apply(summary, in: db)
                return inserted
            }
        } catch {
            throw StoreError(error, path: path)
        }
    }

    package func remainder() throws(StoreError) -> HubStoreRemainder {
        do {
            var result = HubStoreRemainder()
            try reading { db in
                result.rejections = try Row.fetchAll(
                    db,
                    sql: "SELECT source, seq, reason, detail, received_at FROM rejections ORDER BY source, seq"
                ).map { row in
                    HubStoreRemainder.Rejection(
                        record: HubRejectionRecord(
                            source: row["source"],
                            sequence: UInt64(row["seq"] as Int64),
                            reason: row["reason"],
                            detail: row["detail"]
                        ),
                        receivedAt: row["received_at"]
                    )
                }
                for row in try Row.fetchAll(db, sql: "SELECT source, settled_through, updated_at FROM sources") {
                    result.progress[row["source"]] = HubStoreRemainder.Progress(
                        settledThrough: UInt64(row["settled_through"] as Int64),
                        updatedAt: row["updated_at"]
                    )
                }
                result.gaps = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT gap_key, rule, region, severity, opened_on, last_evaluated, closed_on, finding FROM gaps
                        ORDER BY id
                        """
                ).map { row in
                    HubStoreRemainder.Gap(
                        key: row["gap_key"],
                        rule: row["rule"],
                        region: row["region"],
                        severity: row["severity"],
                        openedOn: row["opened_on"],
                        lastEvaluated: row["last_evaluated"],
                        closedOn: row["closed_on"],
                        finding: row["finding"]
                    )
                }
                result.gapChanges = try Row.fetchAll(
                    db,
                    sql: "SELECT sequence, epoch, gap_key, change, on_date, gap FROM gap_changes ORDER BY sequence"
                ).map { row in
                    HubStoreRemainder.GapChange(
                        sequence: UInt64(row["sequence"] as Int64),
                        epoch: row["epoch"],
                        key: row["gap_key"],
                        change: row["change"],
                        onDate: row["on_date"],
                        gap: row["gap"]
                    )
                }
                if let state = try Row.fetchOne(db, sql: "SELECT epoch, sequence FROM gap_state") {
                    result.gapState = (state["epoch"], UInt64(state["sequence"] as Int64))
                }
            }
            result.counters = try activityCounters()
            return result
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(error, path: path)
        }
    }

    package func replaceRemainder(_ remainder: HubStoreRemainder) throws(StoreError) {
        do {
            try writing { db in
                try Self.invalidateCheckpoint(in: db)
                var summary = HubCountSummary()
                for rejection in remainder.rejections {
                    try Self.recordRejection(
                        rejection.record,
                        receivedAt: rejection.receivedAt,
                        in: db,
                        changes: &summary
                    )
                }
                try Self.apply(summary, in: db)
                let settle = try db.cachedStatement(
                    sql: """
                        INSERT INTO sources(source, settled_through, updated_at) VALUES (?, ?, ?)
                        ON CONFLICT(source) DO UPDATE SET
                            settled_through = max(settled_through, excluded.settled_through),
                            updated_at = max(updated_at, excluded.updated_at)
                        """
                )
                for (source, progress) in remainder.progress {
                    try settle.execute(arguments: [source, Int64(progress.settledThrough), progress.updatedAt])
                }
                try db.execute(sql: "DELETE FROM activity_counts")
                let count = try db.cachedStatement(sql: Self.addCountSQL)
                for (cell, sum) in remainder.counters.cells {
                    try Self.addCount(cell, sum, with: count, in: db)
                }
                try db.execute(sql: "DELETE FROM gaps; DELETE FROM gap_changes; DELETE FROM gap_state")
                for gap in remainder.gaps {
                    try db.execute(
                        sql: """
                            INSERT INTO gaps(gap_key, rule, region, severity, opened_on, last_evaluated, closed_on,
                                             finding)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [
                            gap.key, gap.rule, gap.region, gap.severity, gap.openedOn, gap.lastEvaluated, gap.closedOn,
                            gap.finding,
                        ]
                    )
                }
                for change in remainder.gapChanges {
                    try db.execute(
                        sql: """
                            INSERT INTO gap_changes(sequence, epoch, gap_key, change, on_date, gap)
                            VALUES (?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [
                            Int64(change.sequence), change.epoch, change.key, change.change, change.onDate, change.gap,
                        ]
                    )
                }
                if let state = remainder.gapState {
                    try db.execute(
                        sql: "INSERT INTO gap_state(id, epoch, sequence) VALUES (1, ?, ?)",
                        arguments: [state.epoch, Int64(state.sequence)]
                    )
                }
            }
        } catch {
            throw StoreError(error, path: path)
        }
    }
}
