import KnutepunktClient
import KnutepunktDomain
import KnutepunktProtocol

/// The workspace's way to its node: the same control requests (KPC) `knutepunkt publish`, `withdraw` and `events`
/// send, each on a connection of its own on a dedicated thread (``ControlClient/withConnection(to:timeout:_:)``),
/// so no request blocks the cooperative pool and a slow one holds up no other.
struct WorkspaceNodeLink: Sendable {
    let endpoint: @Sendable () async throws -> String
    let timeout: Duration

    /// Submits events in the name of `user`; one result per event.
    func submit(_ events: [JSONValue], by user: WorkspaceUser) async throws -> [SubmitResult] {
        let bodies = events.map { $0.serialized() }
        let name = user.name
        return try await ControlClient.withConnection(to: try await endpoint(), timeout: timeout) { client in
            try client.submit(bodies, submittedBy: name)
        }
    }

    /// Withdraws an event in the name of `user`.
    func withdraw(_ request: WithdrawRequest) async throws -> SubmitResult {
        try await ControlClient.withConnection(to: try await endpoint(), timeout: timeout) { client in
            try client.withdraw(request)
        }
    }

    /// The node's events, the latest version of each.
    func events(_ request: EventsRequest) async throws -> EventList {
        try await ControlClient.withConnection(to: try await endpoint(), timeout: timeout) { client in
            try client.events(request)
        }
    }

    /// Every version of one event the node holds.
    func history(of id: String) async throws -> NodeEventHistory {
        try await ControlClient.withConnection(to: try await endpoint(), timeout: timeout) { client in
            try client.history(of: id)
        }
    }

    /// The node's status; `drained` waits (up to `wait`) until everything accepted is at the hub.
    func status(waitingUpTo wait: Duration? = nil) async throws -> NodeStatusReport {
        let request =
            wait.map { StatusRequest(waitForDrained: true, timeoutMillis: Int($0.milliseconds)) } ?? StatusRequest()
        return try await ControlClient.withConnection(to: try await endpoint(), timeout: timeout) { client in
            guard case .node(let report, _) = try client.status(request) else {
                throw ClientError(code: .badReply, message: "the workspace's control endpoint is not a node's")
            }
            return report
        }
    }
}
