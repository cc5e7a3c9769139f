import Foundation
import GRDB
import KnutepunktDomain
import KnutepunktGaps

/// The hub's store in one SQLite file (WAL, fsync at every commit). The embedded default.
package final class SQLiteHubStore: HubStore {
    let queue: DatabaseQueue
    package let path: String
    /// Checkpoints the WAL on its own thread, so commits do not.
    private let checkpointer: SQLiteCheckpointer

    private init(queue: DatabaseQueue, path: String, checkpointer: SQLiteCheckpointer) {
        self.queue = queue
        self.path = path
        self.checkpointer = checkpointer
    }

    /// SQLite's page cache for the hub's connection: room for the hot index pages of a store of millions of events
    /// (the ids, the (source, seq) pairs, the counters), so a commit does not read them back from the OS.
    static let cacheMebibytes = 64

    /// Opens or creates the store at `path`.
    package static func open(path: String) throws(StoreError) -> SQLiteHubStore {
        let queue = try SQLiteFile.open(
            path: path,
            label: "hub",
            cacheMebibytes: Self.cacheMebibytes,
            autocheckpointPages: SQLiteCheckpointer.backstopPages
        )
        let checkpointer: SQLiteCheckpointer
        do {
            checkpointer = try SQLiteCheckpointer(path: path, label: "hub")
        } catch {
            try? queue.close()
            throw error
        }
        let store = SQLiteHubStore(queue: queue, path: path, checkpointer: checkpointer)
        do {
            try store.migrate()
        } catch {
            try? store.close()
            throw error
        }
        return store
    }

    private func migrate() throws(StoreError) {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE events(
                        id INTEGER PRIMARY KEY,
                        event_id TEXT NOT NULL UNIQUE,
                        source TEXT NOT NULL,
                        seq INTEGER NOT NULL,
                        region TEXT NOT NULL,
                        node TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        occurred_on TEXT NOT NULL,
                        received_at REAL NOT NULL,
                        payload BLOB NOT NULL,
                        UNIQUE(source, seq)
                    );
                    CREATE INDEX events_region ON events(region, occurred_on);
                    CREATE TABLE rejections(
                        source TEXT NOT NULL,
                        seq INTEGER NOT NULL,
                        reason TEXT NOT NULL,
                        detail TEXT NOT NULL,
                        received_at REAL NOT NULL,
                        PRIMARY KEY(source, seq)
                    );
                    CREATE TABLE sources(
                        source TEXT PRIMARY KEY,
                        settled_through INTEGER NOT NULL,
                        updated_at REAL NOT NULL
                    );
                    """
            )
        }
        migrator.registerMigration("v2-activity-counts") { db in
            // The activity counters (see ActivityCell): one row per distinct cell, kept by every commit. A store
            // written before this table existed has events but no counts; the hub rebuilds them at start.
            try db.execute(
                sql: """
                    CREATE TABLE activity_counts(
                        region TEXT NOT NULL,
                        node TEXT NOT NULL,
                        occurred_on TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        tier TEXT NOT NULL,
                        funding TEXT NOT NULL,
                        target_groups TEXT NOT NULL,
                        age_bands TEXT NOT NULL,
                        professions TEXT NOT NULL,
                        programmes TEXT NOT NULL,
                        events INTEGER NOT NULL,
                        families INTEGER NOT NULL,
                        participants INTEGER NOT NULL,
                        sessions INTEGER NOT NULL,
                        PRIMARY KEY(region, node, occurred_on, kind, tier, funding, target_groups, age_bands,
                                    professions, programmes)
                    ) WITHOUT ROWID;
                    """
            )
        }
        migrator.registerMigration("v3-gaps") { db in
            // The gap lifecycle: one row per gap from opening to closing (at most one open row per key), the
            // numbered changes, and the epoch and last sequence.
            try db.execute(
                sql: """
                    CREATE TABLE gaps(
                        id INTEGER PRIMARY KEY,
                        gap_key TEXT NOT NULL,
                        rule TEXT NOT NULL,
                        region TEXT,
                        severity TEXT NOT NULL,
                        opened_on TEXT NOT NULL,
                        last_evaluated TEXT NOT NULL,
                        closed_on TEXT,
                        finding TEXT NOT NULL
                    );
                    CREATE UNIQUE INDEX gaps_open ON gaps(gap_key) WHERE closed_on IS NULL;
                    CREATE TABLE gap_changes(
                        sequence INTEGER PRIMARY KEY,
                        epoch TEXT NOT NULL,
                        gap_key TEXT NOT NULL,
                        change TEXT NOT NULL,
                        on_date TEXT NOT NULL,
                        gap TEXT NOT NULL
                    );
                    CREATE TABLE gap_state(
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        epoch TEXT NOT NULL,
                        sequence INTEGER NOT NULL
                    );
                    """
            )
        }
        migrator.registerMigration("v4-last-heard") { db in
            // When each node was last heard (any message), so liveness survives hub restarts.
            try db.execute(
                sql: """
                    CREATE TABLE node_contact(
                        source TEXT PRIMARY KEY,
                        last_heard_at REAL NOT NULL
                    );
                    """
            )
        }
        migrator.registerMigration("v5-versions") { db in
            // Versions of an event: one row per stored version, (event_id, version) unique instead of event_id,
            // the latest version of each event marked, and withdrawals marked. SQLite cannot drop a constraint, so
            // the table is copied once (every event stored so far is its version 1, and its latest).
            try db.execute(
                sql: """
                    CREATE TABLE events_versions(
                        id INTEGER PRIMARY KEY,
                        event_id TEXT NOT NULL,
                        version INTEGER NOT NULL DEFAULT 1,
                        latest INTEGER NOT NULL DEFAULT 1,
                        withdrawn INTEGER NOT NULL DEFAULT 0,
                        source TEXT NOT NULL,
                        seq INTEGER NOT NULL,
                        region TEXT NOT NULL,
                        node TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        occurred_on TEXT NOT NULL,
                        received_at REAL NOT NULL,
                        payload BLOB NOT NULL,
                        UNIQUE(event_id, version),
                        UNIQUE(source, seq)
                    );
                    INSERT INTO events_versions(id, event_id, source, seq, region, node, kind, occurred_on,
                                                received_at, payload)
                        SELECT id, event_id, source, seq, region, node, kind, occurred_on, received_at, payload
                        FROM events;
                    DROP TABLE events;
                    ALTER TABLE events_versions RENAME TO events;
                    CREATE INDEX events_region ON events(region, occurred_on);
                    """
            )
        }
        Self.registerOperationsMigration(&migrator)
        Self.registerPeriodsMigration(&migrator)
        Self.registerCheckpointMigration(&migrator)
        Self.registerCountsMigration(&migrator)
        migrator.registerMigration("v9-without-region-index") { db in
            // No query reads the events by region and date (listings and folds read them in storage order, the
            // counts come from their own tables), and keeping the index cost every stored version an insert into it.
            try db.execute(sql: "DROP INDEX IF EXISTS events_region")
        }
        do {
            try migrator.migrate(queue)
        } catch {
            throw StoreError(error, path: path)
        }
    }

    package func sizeOnDisk() throws(StoreError) -> Int64 {
        SQLiteFile.sizeOnDisk(path)
    }

    /// The events that count: each event's latest version, unless it withdraws the event.
    static let counting = "latest = 1 AND withdrawn = 0"

    package func lastHeard() throws(StoreError) -> [String: Date] {
        do {
            return try queue.read { db in
                var result: [String: Date] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT source, last_heard_at FROM node_contact") {
                    result[row["source"]] = Date(timeIntervalSince1970: row["last_heard_at"])
                }
                return result
            }
        } catch {
            throw StoreError(error, path: path)
        }
    }

    package func recordLastHeard(_ heard: [String: Date]) throws(StoreError) {
        guard !heard.isEmpty else { return }
        do {
            try queue.write { db in
                let upsert = try db.cachedStatement(
                    sql: """
                        INSERT INTO node_contact(source, last_heard_at) VALUES (?, ?)
                        ON CONFLICT(source) DO UPDATE SET last_heard_at = max(last_heard_at, excluded.last_heard_at)
                        """
                )
                for (source, date) in heard {
                    try upsert.execute(arguments: [source, date.timeIntervalSince1970])
                }
            }
        } catch {
            throw StoreError(error, path: path)
        }
    }

    /// Writes a consistent copy of the whole store to `destination` (a new file) while the hub keeps running:
    /// SQLite's `VACUUM INTO` reads one snapshot (WAL mode lets the hub's writes go on meanwhile) and writes it
    /// compacted. Fails if `destination` exists.
    package func backup(to destination: String) throws(StoreError) {
        guard !FileManager.default.fileExists(atPath: destination) else {
            throw StoreError(
                code: .cannotOpen,
                path: destination,
                message: "the file already exists; a backup never overwrites, choose a new file name"
            )
        }
        do {
            try queue.writeWithoutTransaction { db in
                try db.execute(sql: "VACUUM INTO ?", arguments: [destination])
            }
        } catch {
            throw StoreError(error, path: destination)
        }
    }

    /// Runs `body` in a read transaction (for the extensions in other files).
    func reading<T>(_ body: (Database) throws -> T) throws -> T { try queue.read(body) }

    /// Runs `body` in a write transaction (for the extensions in other files).
    func writing<T>(_ body: (Database) throws -> T) throws -> T { try queue.write(body) }

    package func settledProgress() throws(StoreError) -> [String: UInt64] {
        do {
            return try queue.read { db in
                var result: [String: UInt64] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT source, settled_through FROM sources") {
                    result[row["source"]] = UInt64(row["settled_through"] as Int64)
                }
                return result
            }
        } catch {
            throw StoreError(error, path: path)
        }
    }

    package func commit(_ batch: HubBatch, receivedAt: Date) throws(StoreError) -> HubCommitResult {
        if batch.isEmpty { return HubCommitResult() }
        let stamp = receivedAt.timeIntervalSince1970
        do {
            return try queue.write { db in
                var result = HubCommitResult()
                // `OR IGNORE` only swallows uniqueness conflicts here (every column is NOT NULL and given): the
                // versions were decided against what is stored, so a conflict can only be a (source, seq) already
                // stored under another event (a resend after the node's outbox was replaced).
                let insert = try db.cachedStatement(
                    sql: """
                        INSERT OR IGNORE INTO events(event_id, version, withdrawn, source, seq, region, node, kind,
                                                     occurred_on, received_at, payload)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """
                )
                let find = try db.cachedStatement(
                    sql: """
                        SELECT id, version, source, seq, region, node, withdrawn, latest, payload FROM events
                        WHERE event_id = ?
                        """
                )
                let supersede = try db.cachedStatement(sql: "UPDATE events SET latest = 0 WHERE id = ?")
                // The batch's counts added up per cell (and per key of the status counts) first: one upsert per changed
                // cell or key.
                var counters = ActivityCounters()
                counters.reserveCapacity(batch.events.count)
                var summary = HubCountSummary()
                for index in batch.events.indices {
                    let event = batch.events[index]
                    let eventID = event.eventID.lowercasedText
                    // Each decision reads what the transaction holds so far, the batch's earlier versions included.
                    // Nearly every event is new: whether the id is stored at all is asked first, without rows.
                    var probe = SQLiteRowBinding(find)
                    probe.bind(eventID)
                    let known = try probe.hasRow(db)
                    let rows = try (known ? Row.fetchAll(find, arguments: [eventID]) : []).map { row in
                        StoredVersionRow(
                            rowID: row["id"],
                            version: row["version"],
                            source: row["source"],
                            sequence: UInt64(row["seq"] as Int64),
                            region: row["region"],
                            node: row["node"],
                            withdrawn: row["withdrawn"],
                            latest: row["latest"],
                            payload: [UInt8](row["payload"] as Data)
                        )
                    }
                    switch HubVersionStep.decide(event, rows: rows, locks: batch.locks) {
                    case .insert(let superseding):
                        var row = SQLiteRowBinding(insert)
                        row.bind(eventID)
                        row.bind(event.version)
                        row.bind(event.withdrawn ? 1 : 0)
                        row.bind(event.source)
                        row.bind(Int64(event.sequence))
                        row.bind(event.region)
                        row.bind(event.node)
                        row.bind(event.cell.kind)
                        row.bind(event.cell.date.iso)
                        row.bind(stamp)
                        row.bind(blob: event.payload)
                        try row.run(db)
                        guard db.changesCount > 0 else {
                            result.alreadyStored.append(index)
                            continue
                        }
                        if let superseding {
                            try supersede.execute(arguments: [superseding.rowID])
                            result.superseding.append(index)
                        }
                        result.position = max(result.position, db.lastInsertedRowID)
                        summary.count(event, superseding: superseding)
                        result.countedChange += counters.count(
                            event,
                            superseding: superseding,
                            uncounted: &result.uncounted
                        )
                    case .alreadyStored:
                        result.alreadyStored.append(index)
                    case .identical:
                        result.duplicateIDs.append(index)
                        try Self.recordRejection(
                            HubRejectionRecord(
                                source: event.source,
                                sequence: event.sequence,
                                reason: "DUPLICATE_EVENT_ID",
                                detail: HubVersionStep.identicalDetail(event)
                            ),
                            receivedAt: stamp,
                            in: db,
                            changes: &summary
                        )
                    case .refused(let refusal):
                        result.refused.append(HubCommitResult.Refused(index: index, refusal: refusal))
                        try Self.recordRejection(
                            HubRejectionRecord(
                                source: event.source,
                                sequence: event.sequence,
                                reason: HubVersionStep.reasonName(refusal),
                                detail: refusal.message
                            ),
                            receivedAt: stamp,
                            in: db,
                            changes: &summary
                        )
                    }
                }
                try Self.apply(counters, in: db)
                result.counted = counters.added(beside: result.uncounted)
                for rejection in batch.rejections {
                    try Self.recordRejection(rejection, receivedAt: stamp, in: db, changes: &summary)
                }
                try Self.apply(summary, in: db)
                let settle = try db.cachedStatement(
                    sql: """
                        INSERT INTO sources(source, settled_through, updated_at) VALUES (?, ?, ?)
                        ON CONFLICT(source) DO UPDATE SET
                            settled_through = max(settled_through, excluded.settled_through),
                            updated_at = excluded.updated_at
                        """
                )
                for (source, through) in batch.settled {
                    try settle.execute(arguments: [source, Int64(through), stamp])
                }
                try Self.insertTests(batch.tests, stamp: stamp, in: db)
                try Self.insertReturns(batch.returns, stamp: stamp, in: db)
                return result
            }
        } catch {
            throw StoreError(error, path: path)
        }
    }

    /// Adds the batch's counts to their cells, and removes cells a correction or withdrawal emptied (a rebuild
    /// would not have them).
    private static func apply(_ counters: ActivityCounters, in db: Database) throws {
        let count = try db.cachedStatement(sql: Self.addCountSQL)
        var emptied: [ActivityCell] = []
        for (cell, sum) in counters.changedCells {
            try Self.addCount(cell, sum, with: count, in: db)
            if sum.events < 0 { emptied.append(cell) }
        }
        guard !emptied.isEmpty else { return }
        let remove = try db.cachedStatement(
            sql: """
                DELETE FROM activity_counts WHERE region = ? AND node = ? AND occurred_on = ? AND kind = ? AND tier = ?
                AND funding = ? AND target_groups = ? AND age_bands = ? AND professions = ? AND programmes = ?
                AND events <= 0
                """
        )
        for cell in emptied {
            try remove.execute(arguments: [
                cell.region, cell.node, cell.date.iso, cell.kind, cell.tier, cell.funding,
                ActivityCell.joined(cell.targetGroups), ActivityCell.joined(cell.ageBands),
                ActivityCell.joined(cell.professions), ActivityCell.joined(cell.programmes),
            ])
        }
    }

    package func history(of id: UUID) throws(StoreError) -> [HubEventVersion] {
        do {
            return try queue.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT version, source, seq, received_at, withdrawn, latest, payload FROM events
                        WHERE event_id = ? ORDER BY version
                        """,
                    arguments: [id.lowercasedText]
                ).map { row in
                    HubEventVersion(
                        version: row["version"],
                        source: row["source"],
                        sequence: UInt64(row["seq"] as Int64),
                        receivedAt: Date(timeIntervalSince1970: row["received_at"]),
                        withdrawn: row["withdrawn"],
                        latest: row["latest"],
                        payload: [UInt8](row["payload"] as Data)
                    )
                }
            }
        } catch {
            throw StoreError(error, path: path)
        }
    }

    package func forEachPayload(_ body: ([UInt8]) throws -> Void) throws(StoreError) {
        do {
            try queue.read { db in
                let rows = try Row.fetchCursor(
                    db,
                    sql: "SELECT payload FROM events WHERE \(Self.counting) ORDER BY id"
                )
                while let row = try rows.next() {
                    let data: Data = row["payload"]
                    try body([UInt8](data))
                }
            }
        } catch {
            throw StoreError(error, path: path)
        }
    }

    /// Adds to a cell's counters, creating the cell when it is new.
    static let addCountSQL = """
        INSERT INTO activity_counts(region, node, occurred_on, kind, tier, funding, target_groups, age_bands,
                                    professions, programmes, events, families, participants, sessions)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT DO UPDATE SET
            events = events + excluded.events,
            families = families + excluded.families,
            participants = participants + excluded.participants,
            sessions = sessions + excluded.sessions
        """

    /// Runs ``addCountSQL`` (prepared as `statement`) for one cell.
    static func addCount(
        _ cell: ActivityCell,
        _ count: ActivityCount,
        with statement: Statement,
        in db: Database
    ) throws {
        var row = SQLiteRowBinding(statement)
        for text in [
            cell.region, cell.node, cell.date.iso, cell.kind, cell.tier, cell.funding,
            ActivityCell.joined(cell.targetGroups), ActivityCell.joined(cell.ageBands),
            ActivityCell.joined(cell.professions), ActivityCell.joined(cell.programmes),
        ] {
            row.bind(text)
        }
        for number in [count.events, count.families, count.participants, count.sessions] { row.bind(number) }
        try row.run(db)
    }

    package func forEachActivityCount(_ body: (ActivityCell, ActivityCount) throws -> Void) throws(StoreError) {
        do {
            try queue.read { db in try Self.forEachActivityCount(in: db, body) }
        } catch {
            throw StoreError(error, path: path)
        }
    }

    /// Calls `body` with every cell of the activity counters, read in `db`'s transaction.
    static func forEachActivityCount(in db: Database, _ body: (ActivityCell, ActivityCount) throws -> Void) throws {
        let rows = try Row.fetchCursor(db, sql: "SELECT * FROM activity_counts")
        while let row = try rows.next() {
            guard let date = LocalDate(iso: row["occurred_on"]) else { continue }
            let cell = ActivityCell(
                normalised: (),
                region: row["region"],
                node: row["node"],
                kind: row["kind"],
                tier: row["tier"],
                funding: row["funding"],
                date: date,
                targetGroups: ActivityCell.split(row["target_groups"]),
                ageBands: ActivityCell.split(row["age_bands"]),
                professions: ActivityCell.split(row["professions"]),
                programmes: ActivityCell.split(row["programmes"])
            )
            let count = ActivityCount(
                events: row["events"],
                families: row["families"],
                participants: row["participants"],
                sessions: row["sessions"]
            )
            try body(cell, count)
        }
    }

    package func activityCountCoverage() throws(StoreError) -> (counted: Int, stored: Int) {
        do {
            return try queue.read { db in
                (
                    try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(events), 0) FROM activity_counts") ?? 0,
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events WHERE \(Self.counting)") ?? 0
                )
            }
        } catch {
            throw StoreError(error, path: path)
        }
    }

    package func rebuildActivityCounts(
        _ cellOf: @escaping @Sendable ([UInt8]) -> (ActivityCell, ActivityCount)?
    ) throws(StoreError) -> ActivityCountRebuild {
        try rebuildActivityCounts(flushAt: 100_000, cellOf)
    }

    /// The rebuild, holding at most `flushAt` distinct cells in memory at a time (the rest wait in sorted runs).
    package func rebuildActivityCounts(
        flushAt: Int,
        _ cellOf: @escaping @Sendable ([UInt8]) -> (ActivityCell, ActivityCount)?
    ) throws(StoreError) -> ActivityCountRebuild {
        do {
            // Beside the store: as much room as it has, and gone when the rebuild ends either way.
            let folder = URL(fileURLWithPath: path + ".rebuild")
            defer { try? FileManager.default.removeItem(at: folder) }
            return try queue.write { db in
                try Self.invalidateCheckpoint(in: db)
                // The cells are added up by key with bounded memory and come back once each, in the order of the
                // table's key, so every page of the table is written once. Adding up into the table itself, a
                // flush at a time, rewrote pages all over it once it outgrew the page cache, every flush: the
                // rebuild's writes grew with the square of the store.
                var runs = try CountRuns(folder: folder, flushAt: flushAt)
                var result = ActivityCountRebuild(stored: 0, counted: 0, cells: 0)
                // A page of payloads is read (parsed, validated, its keys made) on the other threads while this one
                // fetches the next page and adds up the one before.
                var pages = StoredCells.Pipeline { cellOf($0).map { (CountKey($0), $1) } }
                func add(_ cells: [(CountKey, ActivityCount)?]) throws {
                    for case let (key, count)? in cells {
                        result.counted += 1
                        try runs.add(key, count)
                    }
                }
                var page: [[UInt8]] = []
                page.reserveCapacity(StoredCells.pageSize)
                let rows = try Row.fetchCursor(
                    db,
                    sql: "SELECT payload FROM events WHERE \(Self.counting) ORDER BY id"
                )
                while let row = try rows.next() {
                    page.append(
                        try row.withUnsafeData(atIndex: 0) { data in data?.withUnsafeBytes { [UInt8]($0) } ?? [] }
                    )
                    if page.count == StoredCells.pageSize {
                        result.stored += page.count
                        try add(pages.start(page))
                        page = []
                        page.reserveCapacity(StoredCells.pageSize)
                    }
                }
                result.stored += page.count
                try add(pages.start(page))
                try add(pages.finish())
                // The table is brought to the totals only now, writing the rows that differ: until this transaction
                // writes, every page the read fetches is looked up in an empty WAL index.
                var rewrite = try SQLiteCountRewrite(in: db)
                try runs.forEachChunkInOrder { chunk in
                    try chunk.forEachKey { key, count in try rewrite.apply(key, count, in: db) }
                    result.cells += chunk.count
                }
                _ = try rewrite.finish(in: db)
                return result
            }
        } catch {
            throw StoreError(error, path: path)
        }
    }

    // MARK: - Gaps

    private static func date(_ row: Row, _ column: String) throws -> LocalDate {
        let text: String = row[column]
        guard let date = LocalDate(iso: text) else {
            throw DatabaseError(message: "gaps.\(column) holds \(text), not a date")
        }
        return date
    }

    package func loadGaps() throws(StoreError) -> StoredGaps? {
        do {
            return try queue.read { db in
                guard let state = try Row.fetchOne(db, sql: "SELECT epoch, sequence FROM gap_state") else {
                    return nil
                }
                let open = try Row.fetchAll(
                    db,
                    sql: "SELECT finding, opened_on, last_evaluated FROM gaps WHERE closed_on IS NULL ORDER BY gap_key"
                ).map { row in
                    GapLifecycle.OpenGap(
                        finding: try GapFinding(storedJSON: row["finding"]),
                        openedOn: try Self.date(row, "opened_on"),
                        lastEvaluated: try Self.date(row, "last_evaluated")
                    )
                }
                return StoredGaps(epoch: state["epoch"], sequence: UInt64(state["sequence"] as Int64), open: open)
            }
        } catch {
            throw StoreError(error, path: path)
        }
    }

    package func saveGaps(_ gaps: StoredGaps, changes: [GapLifecycle.Update]) throws(StoreError) {
        do {
            try queue.write { db in
                for update in changes {
                    let (gap, name, day): (GapLifecycle.OpenGap, String, LocalDate) =
                        switch update.change {
                        case .opened(let gap): (gap, "opened", gap.lastEvaluated)
                        case .changed(let gap): (gap, "changed", gap.lastEvaluated)
                        case .closed(let gap, let closedOn): (gap, "closed", closedOn)
                        }
                    switch update.change {
                    case .opened:
                        try db.execute(
                            sql: """
                                INSERT INTO gaps(gap_key, rule, region, severity, opened_on, last_evaluated, finding)
                                VALUES (?, ?, ?, ?, ?, ?, ?)
                                """,
                            arguments: [
                                gap.finding.key, gap.finding.rule.rawValue, gap.finding.region,
                                gap.finding.severity.rawValue, gap.openedOn.iso, gap.lastEvaluated.iso,
                                try gap.finding.storedJSON(),
                            ]
                        )
                    case .changed:
                        break  // the refresh of every open gap below writes it
                    case .closed:
                        try db.execute(
                            sql: "UPDATE gaps SET closed_on = ? WHERE gap_key = ? AND closed_on IS NULL",
                            arguments: [day.iso, gap.finding.key]
                        )
                    }
                    try db.execute(
                        sql: """
                            INSERT INTO gap_changes(sequence, epoch, gap_key, change, on_date, gap)
                            VALUES (?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [
                            Int64(update.sequence), gaps.epoch, gap.finding.key, name, day.iso,
                            try gap.finding.storedJSON(),
                        ]
                    )
                }
                let refresh = try db.cachedStatement(
                    sql: """
                        UPDATE gaps SET severity = ?, last_evaluated = ?, finding = ?
                        WHERE gap_key = ? AND closed_on IS NULL
                        """
                )
                for gap in gaps.open {
                    try refresh.execute(arguments: [
                        gap.finding.severity.rawValue, gap.lastEvaluated.iso, try gap.finding.storedJSON(),
                        gap.finding.key,
                    ])
                }
                try db.execute(
                    sql: """
                        INSERT INTO gap_state(id, epoch, sequence) VALUES (1, ?, ?)
                        ON CONFLICT(id) DO UPDATE SET epoch = excluded.epoch, sequence = excluded.sequence
                        """,
                    arguments: [gaps.epoch, Int64(gaps.sequence)]
                )
            }
        } catch {
            throw StoreError(error, path: path)
        }
    }

    package func gapHistory(limit: Int) throws(StoreError) -> [StoredGapEntry] {
        do {
            return try queue.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT finding, opened_on, last_evaluated, closed_on FROM gaps
                        ORDER BY opened_on DESC, id DESC LIMIT ?
                        """,
                    arguments: [limit]
                ).map { row in
                    StoredGapEntry(
                        finding: try GapFinding(storedJSON: row["finding"]),
                        openedOn: try Self.date(row, "opened_on"),
                        lastEvaluated: try Self.date(row, "last_evaluated"),
                        closedOn: (row["closed_on"] as String?).flatMap { LocalDate(iso: $0) }
                    )
                }
            }
        } catch {
            throw StoreError(error, path: path)
        }
    }

    package func storedKeys() throws(StoreError) -> [(source: String, sequence: UInt64, eventID: UUID)] {
        do {
            return try queue.read { db in
                try Row.fetchAll(db, sql: "SELECT source, seq, event_id FROM events ORDER BY source, seq").map {
                    row in
                    (row["source"], UInt64(row["seq"] as Int64), UUID(uuidString: row["event_id"]) ?? UUID())
                }
            }
        } catch {
            throw StoreError(error, path: path)
        }
    }

    package func close() throws(StoreError) {
        checkpointer.stop()
        do {
            try queue.close()
        } catch {
            throw StoreError(error, path: path)
        }
    }
}
