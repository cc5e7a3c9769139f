import Foundation
import KnutepunktDomain
import PostgresNIO

/// Monthly returns (``HubPeriodsStore``) in PostgreSQL.
extension PostgresHubStore {
    /// Writes a batch's returns inside its commit. A resend of a stored (source, seq), or a version number already
    /// stored for its node and month, is ignored, whichever hub stored it.
    static func insertReturns(
        _ returns: [HubReturnRecord],
        stamp: Double,
        _ session: PostgresConnectionOwner.Session
    )
        throws
    {
        guard !returns.isEmpty else { return }
        let sorted = returns.sorted { ($0.source, $0.sequence) < ($1.source, $1.sequence) }
        try session.query(
            """
            INSERT INTO monthly_returns(source, seq, return_id, region, node, month, version, status, received_at,
                                        payload)
            SELECT r.source, r.seq, r.return_id, r.region, r.node, r.month, r.version, r.status, \(stamp), r.payload
            FROM unnest(\(sorted.map(\.source))::text[], \(sorted.map { Int64($0.sequence) })::int8[],
                        \(sorted.map(\.record.id))::uuid[], \(sorted.map(\.record.region))::text[],
                        \(sorted.map(\.record.node))::text[], \(sorted.map(\.record.month.text))::text[],
                        \(sorted.map { Int64($0.record.version) })::int8[],
                        \(sorted.map(\.record.status.rawValue))::text[],
                        \(sorted.map { ByteBuffer(bytes: $0.payload) })::bytea[])
                 AS r(source, seq, return_id, region, node, month, version, status, payload)
            ON CONFLICT DO NOTHING
            """
        )
    }

    package func monthlyReturns() throws(StoreError) -> [HubStoredReturn] {
        try owner.with { session in
            var returns: [HubStoredReturn] = []
            for row in try session.query(
                "SELECT source, seq, received_at, payload FROM monthly_returns ORDER BY received_at, source, seq"
            ) {
                let (source, seq, received, payload) = try row.decode((String, Int64, Double, ByteBuffer).self)
                guard let object = try? JSONValue.parse(Array(buffer: payload)),
                    let record = MonthlyReturn(stored: object)
                else { continue }
                returns.append(
                    HubStoredReturn(
                        source: source,
                        sequence: UInt64(seq),
                        record: record,
                        receivedAt: Date(timeIntervalSince1970: received)
                    )
                )
            }
            return returns
        }
    }
}

extension PostgresHubStore {
    package func periodSteps() throws(StoreError) -> [PeriodLedger.Step] {
        try owner.with { session in
            var steps: [PeriodLedger.Step] = []
            for row in try session.query(
                "SELECT region, month, step, by_name, role, at, reason FROM period_steps ORDER BY id"
            ) {
                let (region, month, step, by, role, at, reason) = try row.decode(
                    (String, String, String, String, String, String, String?).self
                )
                guard let kind = PeriodLedger.Step.Kind(rawValue: step), let role = PeriodLedger.Role(rawValue: role)
                else { continue }
                steps.append(
                    PeriodLedger.Step(
                        region: region,
                        month: month,
                        kind: kind,
                        by: by,
                        role: role,
                        at: at,
                        reason: reason
                    )
                )
            }
            return steps
        }
    }

    package func recordPeriodStep(_ step: PeriodLedger.Step) throws(StoreError) {
        try owner.transaction { session in
            try session.query(
                """
                INSERT INTO period_steps(region, month, step, by_name, role, at, reason)
                VALUES (\(step.region), \(step.month), \(step.kind.rawValue), \(step.by), \(step.role.rawValue),
                        \(step.at), \(step.reason))
                """
            )
        }
    }
}

extension PostgresSchema {
    /// Migration 5: monthly returns, apart from the events and their counters.
    static let periodsMigration = """
        CREATE TABLE monthly_returns(
            source TEXT NOT NULL,
            seq BIGINT NOT NULL,
            return_id UUID NOT NULL,
            region TEXT NOT NULL,
            node TEXT NOT NULL,
            month TEXT NOT NULL,
            version BIGINT NOT NULL,
            status TEXT NOT NULL,
            received_at DOUBLE PRECISION NOT NULL,
            payload BYTEA NOT NULL,
            PRIMARY KEY(source, seq),
            UNIQUE(node, month, version)
        );
        CREATE TABLE period_steps(
            id BIGSERIAL PRIMARY KEY,
            region TEXT NOT NULL,
            month TEXT NOT NULL,
            step TEXT NOT NULL,
            by_name TEXT NOT NULL,
            role TEXT NOT NULL,
            at TEXT NOT NULL,
            reason TEXT
        );
        """
}
