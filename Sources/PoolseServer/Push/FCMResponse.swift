import Foundation

/// What one FCM answer means. Errors come as `{error: {code, message, status, details: [{
/// "@type": "…FcmError", errorCode}]}}`.
enum FCMResponse: Equatable {
    case outcome(PushOutcome)
    /// 401: the access token was refused; get a new one and send again.
    case renewAccessToken

    /// - 200 → delivered;
    /// - `UNREGISTERED` (404), or `INVALID_ARGUMENT` (400) about the registration token → the device is gone;
    /// - 401 → renew the access token;
    /// - 429 and 5xx (`QUOTA_EXCEEDED`, `UNAVAILABLE`, `INTERNAL`) → retry, after `retry-after` when present;
    /// - anything else (wrong sender, bad payload, no permission) → failed.
    static func interpret(status: Int, body: Data, retryAfter: String?) -> FCMResponse {
        let error = (try? JSONDecoder().decode(Envelope.self, from: body))?.error
        let code = error?.details?.compactMap(\.errorCode).first ?? error?.status ?? "HTTP \(status)"
        let message = error?.message ?? ""
        switch status {
        case 200: return .outcome(.delivered)
        case 401: return .renewAccessToken
        case 404 where code == "UNREGISTERED" || code == "NOT_FOUND": return .outcome(.deviceGone)
        case 400 where code == "INVALID_ARGUMENT" && aboutTheToken(error): return .outcome(.deviceGone)
        case 429, 500...599:
            return .outcome(.retry(after: retryAfter.flatMap(APNsResponse.seconds), reason: "FCM \(status) \(code)"))
        default: return .outcome(.failed(reason: "FCM \(status) \(code) \(message)".trimmingCharacters(in: .whitespaces)))
        }
    }

    /// Whether an `INVALID_ARGUMENT` blames `message.token` (and not, say, the payload).
    private static func aboutTheToken(_ error: Envelope.Body?) -> Bool {
        if error?.details?.contains(where: { $0.fieldViolations?.contains { $0.field == "message.token" } ?? false }) == true {
            return true
        }
        return error?.message?.lowercased().contains("registration token") ?? false
    }

    private struct Envelope: Decodable {
        struct Body: Decodable {
            let status: String?
            let message: String?
            let details: [Detail]?
        }
        struct Detail: Decodable {
            struct Violation: Decodable { let field: String? }
            let errorCode: String?
            let fieldViolations: [Violation]?
        }
        let error: Body
    }
}
