import KnutepunktProtocol

extension ControlClient {
    /// Asks the hub to publish `request.document` as the next taxonomy version, or with `dryRun` only to compare it
    /// with the current one.
    package func taxonomy(_ request: TaxonomyRequest) throws(ClientError) -> TaxonomyResult {
        let reply = try self.request(.taxonomy, body: JSONBody.encode(request))
        guard reply.command == .taxonomyResult else {
            throw ClientError(code: .badReply, message: "expected TAXONOMY_RESULT, got \(reply.command)")
        }
        do {
            return try JSONBody.decode(TaxonomyResult.self, from: reply.body)
        } catch {
            throw ClientError(code: .badReply, message: "cannot read the hub's answer: \(error)")
        }
    }
}
