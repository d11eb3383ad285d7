import Foundation

/// Voice and video calls (`chat.calls`), wire-compatible with `@poolse/sdk` 2.12: ringing on
/// your user channel, voice rooms per conversation, ICE servers and the SFU token. Media
/// stays in your WebRTC stack; see docs/calls.md for where it plugs in, and
/// ``CallStateMachine`` for the call's state on the client.
///
/// ```swift
/// chat.calls.onIncoming { call in callKit.reportIncoming(call) }
/// let call = try await chat.calls.invite(conversationID, media: .video)
/// chat.calls.onAccepted { event in if event.callId == call.callId { startMedia() } }
/// ```
///
/// Ringing pushes go out on `user:<your id>` (the id is read from the token's `sub`), which
/// the first call or listener joins. Each returns when the server replied and throws a
/// ``RealtimeError`` (`push_rejected` with the server's reason, e.g. `call_ended`) when it
/// refused.
public final class CallsClient: Sendable {
    let rest: RESTClient
    let realtime: PoolseRealtime
    private let hub = EventHub<CallSignalEvent>()
    private let listening = Locked<Task<UserChannel, any Error>?>(nil)

    init(rest: RESTClient, realtime: PoolseRealtime) {
        self.rest = rest
        self.realtime = realtime
    }

    // MARK: - Ringing

    /// Rings every other member of the conversation (`call:invite`).
    public func invite(_ conversationId: String, media: CallMedia = .audio) async throws -> CallInvitation {
        let response = try await push(CallEvent.invite, ["conversation_id": .string(conversationId),
                                                         "media": .string(media.rawValue)])
        return try response.decode(as: CallInvitation.self)
    }

    /// Answers a ringing call (`call:accept`).
    public func accept(_ call: CallIncomingEvent) async throws { try await answer(CallEvent.accept, call) }
    /// Declines a ringing call (`call:decline`).
    public func decline(_ call: CallIncomingEvent) async throws { try await answer(CallEvent.decline, call) }
    /// Tells the caller you are on another call (`call:busy`).
    public func busy(_ call: CallIncomingEvent) async throws { try await answer(CallEvent.busy, call) }

    /// Stops ringing a call you placed that nobody answered yet (`call:cancel`).
    public func cancel(callId: String, conversationId: String) async throws {
        try await push(CallEvent.cancel, ["call_id": .string(callId), "conversation_id": .string(conversationId)])
    }

    /// Ends the call for everyone (`call:hangup`); a call still ringing is cancelled.
    public func hangUp(callId: String, conversationId: String) async throws {
        try await push(CallEvent.hangup, ["call_id": .string(callId), "conversation_id": .string(conversationId)])
    }

    // MARK: - Events

    /// Every ringing event, typed. Registering a listener joins your user channel.
    @discardableResult
    public func onEvent(_ listener: @escaping @Sendable (CallSignalEvent) -> Void) -> Unsubscribe {
        startListening()
        return hub.subscribe(listener)
    }

    /// `call:incoming`.
    @discardableResult
    public func onIncoming(_ listener: @escaping @Sendable (CallIncomingEvent) -> Void) -> Unsubscribe {
        onEvent { if case .incoming(let event) = $0 { listener(event) } }
    }

    /// `call:accepted`.
    @discardableResult
    public func onAccepted(_ listener: @escaping @Sendable (CallUserEvent) -> Void) -> Unsubscribe {
        onEvent { if case .accepted(let event) = $0 { listener(event) } }
    }

    /// `call:declined`.
    @discardableResult
    public func onDeclined(_ listener: @escaping @Sendable (CallUserEvent) -> Void) -> Unsubscribe {
        onEvent { if case .declined(let event) = $0 { listener(event) } }
    }

    /// `call:busy`.
    @discardableResult
    public func onBusy(_ listener: @escaping @Sendable (CallUserEvent) -> Void) -> Unsubscribe {
        onEvent { if case .busy(let event) = $0 { listener(event) } }
    }

    /// `call:cancelled` (by the caller, or `no_answer` after the server's ring timeout).
    @discardableResult
    public func onCancelled(_ listener: @escaping @Sendable (CallCancelledEvent) -> Void) -> Unsubscribe {
        onEvent { if case .cancelled(let event) = $0 { listener(event) } }
    }

    /// `call:ended`.
    @discardableResult
    public func onEnded(_ listener: @escaping @Sendable (CallUserEvent) -> Void) -> Unsubscribe {
        onEvent { if case .ended(let event) = $0 { listener(event) } }
    }

    /// Every ringing event as a stream (joins your user channel).
    public func events() -> AsyncStream<CallSignalEvent> {
        startListening()
        return hub.stream()
    }

    /// `call:incoming` as a stream.
    public func incomingStream() -> AsyncStream<CallIncomingEvent> {
        let events = events()
        return AsyncStream { continuation in
            let task = Task {
                for await event in events { if case .incoming(let call) = event { continuation.yield(call) } }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Returns once your user channel is joined, so no ringing event is missed after it.
    public func waitUntilListening() async throws { try await userChannel().waitUntilJoined() }

    // MARK: - Voice rooms and media

    /// The voice room of a conversation; the first call joins its topic.
    public func voiceRoom(_ conversationId: String) -> VoiceRoomChannel { realtime.voiceRoom(conversationId) }

    /// Leaves a voice room's topic and drops its handle.
    public func leaveVoiceRoom(_ conversationId: String) { realtime.leaveVoiceRoom(conversationId) }

    /// STUN and TURN servers for `RTCPeerConnection` (`GET /v1/ice-servers`).
    public func iceServers() async throws -> IceServersResponse {
        try await rest.request(.get, "/v1/ice-servers")
    }

    /// A LiveKit token for the conversation's room (`POST /v1/conversations/:id/call-token`);
    /// nil when the server has no SFU (503): connect peer to peer through the voice room then.
    public func callToken(_ conversationId: String) async throws -> CallToken? {
        do {
            return try await rest.request(.post, "/v1/conversations/\(conversationId)/call-token")
        } catch let error as APIError where error.status == 503 {
            return nil
        }
    }

    // MARK: - Helpers

    private func answer(_ event: String, _ call: CallIncomingEvent) async throws {
        try await push(event, ["call_id": .string(call.callId), "conversation_id": .string(call.conversationId),
                               "caller_user_id": .string(call.callerUserId)])
    }

    @discardableResult
    private func push(_ event: String, _ payload: JSONValue) async throws -> JSONValue {
        let channel = try await userChannel()
        try await channel.waitUntilJoined()
        return try await channel.core.request(event, payload)
    }

    private func startListening() {
        _ = listeningTask()
    }

    private func userChannel() async throws -> UserChannel {
        let task = listeningTask()
        do {
            return try await task.value
        } catch {
            // No token (or none with a `sub`) this time: the next call asks again.
            listening.withLock { if $0 == task { $0 = nil } }
            throw error
        }
    }

    /// Joins `user:<sub>` once and forwards its `call:*` events to this client's listeners.
    private func listeningTask() -> Task<UserChannel, any Error> {
        listening.withLock { task in
            if let task { return task }
            let (rest, realtime, hub) = (self.rest, self.realtime, self.hub)
            let started = Task {
                guard let token = try await rest.tokens.token(), let userId = CallsClient.subject(of: token) else {
                    throw RealtimeError(code: .joinRefused, reason: "the token has no sub claim")
                }
                let channel = realtime.user(userId)
                _ = channel.callEvents.subscribe { hub.emit($0) }
                return channel
            }
            task = started
            return started
        }
    }

    /// The `sub` claim of a JWT (not verified: the server does that).
    static func subject(of token: String) -> String? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let payload = JWTExpiry.base64URLDecode(parts[1]),
              let claims = try? JSONSerialization.jsonObject(with: payload) as? [String: Any]
        else { return nil }
        return claims["sub"] as? String
    }
}
