import Foundation

/// What one APNs answer means. Apple puts the reason in a JSON body `{"reason": "…"}`.
enum APNsResponse: Equatable {
    /// A final outcome for the delivery.
    case outcome(PushOutcome)
    /// 403 `ExpiredProviderToken`: sign a new JWT and send again.
    case renewToken

    /// Maps status, body and `retry-after`:
    /// - 200 → delivered;
    /// - 410 (`Unregistered`, `ExpiredToken`) or 400 `BadDeviceToken` → the device is gone;
    /// - 429 and 5xx → retry, after `retry-after` seconds when present;
    /// - 403 `ExpiredProviderToken` → renew the token;
    /// - anything else (bad key, wrong topic, payload too large…) → failed.
    static func interpret(status: Int, body: Data, retryAfter: String?) -> APNsResponse {
        let reason = (try? JSONDecoder().decode(Reason.self, from: body))?.reason ?? "HTTP \(status)"
        switch status {
        case 200: return .outcome(.delivered)
        case 410: return .outcome(.deviceGone)
        case 400 where reason == "BadDeviceToken": return .outcome(.deviceGone)
        case 403 where reason == "ExpiredProviderToken": return .renewToken
        case 429, 500...599:
            return .outcome(.retry(after: retryAfter.flatMap(Self.seconds), reason: "APNs \(status) \(reason)"))
        default: return .outcome(.failed(reason: "APNs \(status) \(reason)"))
        }
    }

    /// A `retry-after` in seconds (the HTTP-date form is not used by APNs and is ignored).
    static func seconds(_ header: String) -> Double? {
        Double(header.trimmingCharacters(in: .whitespaces)).flatMap { $0 >= 0 && $0.isFinite ? $0 : nil }
    }

    private struct Reason: Decodable { let reason: String }
}
