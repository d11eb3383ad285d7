/// Reporting content to the tenant's moderators (`chat.reports`). A report of a message keeps
/// its body as it was, so deleting the message later does not destroy the evidence.
public struct ReportsResource: Sendable {
    let rest: RESTClient

    /// Reports a message you can read. `POST /v1/reports`.
    @discardableResult
    public func report(message messageID: String, reason: ReportReason, note: String? = nil) async throws -> Report {
        try await create(ReportCreateRequest(messageId: messageID, reason: reason, note: note))
    }

    /// Reports a user of the tenant. `POST /v1/reports`.
    @discardableResult
    public func report(user userID: String, reason: ReportReason, note: String? = nil) async throws -> Report {
        try await create(ReportCreateRequest(userId: userID, reason: reason, note: note))
    }

    /// Sends a report as given (exactly one of `messageId` and `userId`). `POST /v1/reports`.
    @discardableResult
    public func create(_ request: ReportCreateRequest) async throws -> Report {
        try await rest.request(.post, "/v1/reports", body: request)
    }
}
