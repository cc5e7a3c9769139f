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
}
