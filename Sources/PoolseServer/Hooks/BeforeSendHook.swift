import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import PoolseWire

/// The tenant's before-send hook, as `MessageService.send` calls it: after the request is
/// validated and before its transaction (no transaction or lock is held while the hook thinks).
///
/// The hook gets a signed POST (`HookSignature`) of `BeforeSendPayload` and answers within its
/// timeout with `allow`, `reject` (the sender gets 422 `rejected_by_hook`) or `modify` (the
/// message is stored with the new body). A timeout, a network error, a non-2xx status, an answer
/// that is none of the three, or a replacement body that a client could not have sent (empty
/// without attachments, too long) is a failure: with `fail_open` the message is stored as sent,
/// without it the sender gets 503 `unavailable` and can retry.
struct BeforeSendHook: Sendable {
    /// No hook at all (servers and tests that don't wire one).
    static let disabled = BeforeSendHook(settings: nil, store: nil, http: nil, limits: Limits(), logger: Logger(label: "poolse"))

    let settings: BeforeSendHookSettings?
    let store: Store?
    let http: OutboundHTTPClient?
    let limits: Limits
    let logger: Logger

    /// The body to store: the request's, or the hook's replacement (a resend of an id already
    /// stored is not asked again). Throws `rejected_by_hook`,
    /// `unavailable` (a failed hook that does not fail open), or the membership errors a
    /// non-member gets (the hook never sees a message its sender can't post).
    func screen(_ request: MessageCreateRequest, id: String, mentions: [String], conversationId: String,
                by caller: UserPrincipal) async throws -> String? {
        guard let settings, let store, let http, let hook = try await settings.active(tenantId: caller.tenantId) else {
            return request.body
        }
        let resend = try await store.read { q in
            _ = try await ConversationService.visibleMembership(id: conversationId, caller: caller, q)
            return try await q.messageExists(id: id)
        }
        // A resend of a stored client id returns the stored message; the hook already saw it.
        if resend { return request.body }
        let attachmentIds = request.attachmentIds ?? []
        let payload = BeforeSendPayload(
            tenantId: caller.tenantId, conversationId: conversationId,
            sender: .init(id: caller.userId, externalId: caller.user.externalId),
            message: .init(id: id, type: (request.type ?? .text).rawValue, body: request.body, replyToId: request.replyToId,
                           quotedMessageId: request.quotedMessageId, mentions: mentions, attachmentIds: attachmentIds))
        let failure: String
        do {
            switch try await ask(hook, payload: payload, http: http, allowPrivate: await settings.allowsPrivateAddresses) {
            case .allow: return request.body
            case .reject(let reason): throw DomainError.rejectedByHook(reason)
            case .modify(let body):
                if let problem = problem(with: body, hasAttachments: !attachmentIds.isEmpty) {
                    failure = "the replacement body \(problem)"
                } else {
                    return body
                }
            }
        } catch let error as DomainError {
            throw error
        } catch let error as HookFailure {
            failure = error.reason
        } catch {
            failure = "\(error)"
        }
        logger.warning("before-send hook failed", metadata: [
            "tenant_id": "\(caller.tenantId)", "reason": "\(failure)", "fail_open": "\(hook.failOpen)",
        ])
        guard hook.failOpen else { throw DomainError.unavailable("the before-send hook did not answer usably: \(failure)") }
        return request.body
    }

    private struct HookFailure: Error { let reason: String }

    private func ask(_ hook: BeforeSendHookSettings.Active, payload: BeforeSendPayload, http: OutboundHTTPClient,
                     allowPrivate: Bool) async throws -> BeforeSendDecision {
        do {
            try await PrivateAddressPolicy.check(hook.url, field: "url", allowPrivate: allowPrivate)
        } catch {
            throw HookFailure(reason: "the hook URL is not allowed any more")
        }
        let body = try WireCoding.encoder.encode(payload)
        var request = HTTPClientRequest(url: hook.url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "user-agent", value: "poolse-before-send")
        for header in HookSignature.headers(body: body, secret: hook.secret, timestamp: Int64(Date().timeIntervalSince1970)) {
            request.headers.add(name: header.name, value: header.value)
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response: OutboundHTTPClient.Response
        do {
            response = try await http.execute(request, timeout: .milliseconds(Int64(hook.timeoutMs)))
        } catch {
            throw HookFailure(reason: "no answer within \(hook.timeoutMs) ms or unreachable")
        }
        guard (200..<300).contains(response.status) else { throw HookFailure(reason: "HTTP \(response.status)") }
        guard let decision = BeforeSendDecision.parse(response.body) else {
            throw HookFailure(reason: "the answer is not {action: allow|reject|modify}")
        }
        return decision
    }

    /// Why a replacement body can't be stored, or nil: the rules of a body a client sends.
    private func problem(with body: String?, hasAttachments: Bool) -> String? {
        if let body, body.count > limits.maxMessageLength { return "is longer than \(limits.maxMessageLength) characters" }
        let hasText = body?.unicodeScalars.contains { !$0.properties.isWhitespace } ?? false
        return hasText || hasAttachments ? nil : "is blank"
    }
}

extension BeforeSendHook {
    /// The hook of a server: settings in `store`, secrets sealed by `sealer`, its own HTTP client
    /// (the system's trust roots; `shutdown()` closes it).
    static func make(store: Store, sealer: SecretSealer?, configuration: ServerConfiguration, logger: Logger) -> BeforeSendHook {
        BeforeSendHook(
            settings: BeforeSendHookSettings(store: store, sealer: sealer, allowPrivate: configuration.allowPrivateWebhooks,
                                             cacheSeconds: configuration.push.configurationCacheSeconds),
            store: store, http: OutboundHTTPClient(trustRootsFile: nil, timeout: .seconds(10)), limits: configuration.limits,
            logger: logger)
    }

    /// Closes the hook's connections.
    func shutdown() async { await http?.shutdown() }
}
