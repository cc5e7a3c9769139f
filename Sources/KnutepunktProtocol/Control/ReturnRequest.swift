/// The body of a RETURN request (KPC, docs/protocol.md): a coordinator makes the monthly return of one local node,
/// complete or nil, or reopens it with a reason. The node answers with SUBMIT_RESULT holding one result.
package struct ReturnRequest: Codable, Sendable, Hashable {
    /// The local node; nil: the node daemon's `defaultNode`.
    package var node: String?
    /// `YYYY-MM`.
    package var month: String
    /// `complete`, `nil` or `reopened`.
    package var status: String
    /// Why it is reopened (required then).
    package var reason: String?
    package var submittedBy: String?
    /// When the coordinator made the return, UTC `YYYY-MM-DDThh:mm:ssZ`, when that was before this request (a return
    /// made on paper while the node was out of reach, entered later); nil: now. It becomes the return's
    /// `submitted_at`, which timeliness is judged by (docs/events.md, "Timeliness").
    package var madeAt: String?

    package init(
        node: String?,
        month: String,
        status: String,
        reason: String? = nil,
        submittedBy: String? = nil,
        madeAt: String? = nil
    ) {
        self.node = node
        self.month = month
        self.status = status
        self.reason = reason
        self.submittedBy = submittedBy
        self.madeAt = madeAt
    }
}
