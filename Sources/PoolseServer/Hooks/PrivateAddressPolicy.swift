import Foundation

/// The before-send hook's URL rule: the webhooks' (`WebhookAddressPolicy`), one rule for every
/// URL a tenant makes the server call, with its problems as `validation_failed` on a field.
/// Loopback, private, link-local (cloud metadata), carrier-grade NAT, multicast and unspecified
/// addresses are refused unless the server runs with `--allow-private-webhooks` (SSRF).
///
/// The name is resolved when the URL is saved and again before each call; a name that changes
/// its answer between that check and the connection is not caught (redirects are not followed).
enum PrivateAddressPolicy {
    /// Checks an http(s) URL and every address its host resolves to.
    static func check(_ text: String, field: String, allowPrivate: Bool) async throws {
        let policy = WebhookAddressPolicy(allowPrivate: allowPrivate)
        if let problem = policy.problem(with: text) { throw DomainError.validation(field, problem) }
        guard let url = URL(string: text), let host = url.host else {
            throw DomainError.validation(field, "must be an http or https URL")
        }
        let port = url.port ?? (url.scheme?.lowercased() == "https" ? 443 : 80)
        if let problem = await policy.problem(resolving: host, port: port) {
            let hint = problem.contains("private") ? " (start the server with --allow-private-webhooks to allow it)" : ""
            throw DomainError.validation(field, problem + hint)
        }
    }

    /// Whether an address (4 or 16 bytes) is one a tenant's URL must not reach.
    static func isPrivate(_ bytes: [UInt8]) -> Bool { !(IPAddress(bytes: bytes)?.isPublic ?? false) }
}
