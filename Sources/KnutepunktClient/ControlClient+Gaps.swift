import KnutepunktProtocol

extension ControlClient {
    /// Asks the hub for its open gaps (GAPS): the snapshot a Clone-pattern follower starts from.
    package func gapSnapshot() throws(ClientError) -> GapSnapshot {
        let reply = try request(.gaps, body: Array("{}".utf8))
        guard reply.command == .gapSnapshot else {
            throw ClientError(code: .badReply, message: "expected GAP_SNAPSHOT, got \(reply.command.name)")
        }
        do {
            return try JSONBody.decode(GapSnapshot.self, from: reply.body)
        } catch {
            throw ClientError(code: .badReply, message: "cannot read the gap snapshot: \(error)")
        }
    }

    /// Asks the hub for one region's coverage per target group beside the national median (COVERAGE).
    package func coverage(region: String) throws(ClientError) -> RegionCoverage {
        let reply = try request(.coverage, body: JSONBody.encode(CoverageRequest(region: region)))
        guard reply.command == .coverageResult else {
            throw ClientError(code: .badReply, message: "expected COVERAGE_RESULT, got \(reply.command.name)")
        }
        do {
            return try JSONBody.decode(RegionCoverage.self, from: reply.body)
        } catch {
            throw ClientError(code: .badReply, message: "cannot read the hub's coverage: \(error)")
        }
    }
}
