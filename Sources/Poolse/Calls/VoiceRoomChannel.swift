import Foundation

/// A conversation's voice room (`chat.calls.voiceRoom(id)`, topic `voice:conversation:<id>`):
/// who is in it, their mute and speaking state, and the WebRTC signalling between them. The
/// media itself is your WebRTC stack's: feed it the ``VoiceSignal``s that arrive and send
/// what it produces with ``signal(to:type:data:)`` (docs/calls.md).
///
/// Getting the handle joins the topic (members only; a refused join closes the channel with
/// ``RealtimeError/Code/joinRefused``) and shows who is in the room
/// (``onPresenceState(_:)``); ``join(muted:speaking:)`` enters it.
///
/// ```swift
/// let room = chat.calls.voiceRoom(conversationID)
/// room.onSignal { signal in peer(for: signal.fromUserId).apply(signal) }
/// try await room.join(muted: false)
/// try await room.signal(to: otherUserID, type: .offer, data: ["sdp": .string(offer.sdp)])
/// ```
public final class VoiceRoomChannel: Sendable, RealtimeChannelEndpoint {
    /// The conversation.
    public let conversationId: String
    /// `voice:conversation:<id>`.
    public var topic: String { core.topic }

    let core: ChannelCore
    private let room = Locked<VoicePresenceState>([:])
    private let presence = EventHub<VoicePresenceState>()
    private let joins = EventHub<String>()
    private let leaves = EventHub<String>()
    private let mutes = EventHub<VoiceMuteEvent>()
    private let speakers = EventHub<VoiceSpeakerEvent>()
    private let signals = EventHub<VoiceSignal>()
    private let refusals = EventHub<String>()
    private let allEvents = EventHub<VoiceRoomEvent>()

    init(conversationId: String, driver: RealtimeDriver) {
        self.conversationId = conversationId
        core = ChannelCore(topic: VoiceEvent.topic(conversationId), driver: driver)
    }

    // MARK: - Pushes

    /// Enters the room (`voice:join`); the room hears ``onJoined(_:)`` with your id.
    /// - Throws: ``RealtimeError`` (`push_rejected` with the server's reason, or no reply).
    public func join(muted: Bool = false, speaking: Bool = false) async throws {
        try await request(VoiceEvent.join, ["muted": .bool(muted), "speaking": .bool(speaking)])
    }

    /// Leaves the room (`voice:leave`); the topic stays joined, so the room is still shown.
    public func leave() async throws { try await request(VoiceEvent.leave, [:]) }

    /// Mutes (`voice:mute`) or unmutes (`voice:unmute`) your microphone for the room's display.
    public func setMuted(_ muted: Bool) async throws {
        try await request(muted ? VoiceEvent.mute : VoiceEvent.unmute, ["muted": .bool(muted)])
    }

    /// `voice:active_speaker`: whether you are speaking now.
    public func setSpeaking(_ speaking: Bool) async throws {
        try await request(VoiceEvent.activeSpeaker, ["speaking": .bool(speaking)])
    }

    /// Sends WebRTC signalling to one user in the room; only their sockets receive it.
    /// Refused with `empty_signal` when `data` is empty, `target_not_in_room` when they are not in the room.
    public func signal(to userId: String, type: VoiceSignalType, data: JSONValue) async throws {
        try await request(VoiceEvent.signal, ["type": .string(type.rawValue), "target_user_id": .string(userId), "data": data])
    }

    // MARK: - Events

    /// Everyone in the room, by user id, as last known.
    public var participants: VoicePresenceState { room.withLock { $0 } }

    /// `voice:presence_state`: the room as a whole (on joining the topic and on ``join(muted:speaking:)``).
    @discardableResult
    public func onPresenceState(_ listener: @escaping @Sendable (VoicePresenceState) -> Void) -> Unsubscribe {
        presence.subscribe(listener)
    }
    /// `voice:joined`: a user entered the room.
    @discardableResult
    public func onJoined(_ listener: @escaping @Sendable (String) -> Void) -> Unsubscribe { joins.subscribe(listener) }
    /// `voice:left`: a user left the room (or their socket ended).
    @discardableResult
    public func onLeft(_ listener: @escaping @Sendable (String) -> Void) -> Unsubscribe { leaves.subscribe(listener) }
    /// `voice:mute`.
    @discardableResult
    public func onMute(_ listener: @escaping @Sendable (VoiceMuteEvent) -> Void) -> Unsubscribe { mutes.subscribe(listener) }
    /// `voice:active_speaker`.
    @discardableResult
    public func onActiveSpeaker(_ listener: @escaping @Sendable (VoiceSpeakerEvent) -> Void) -> Unsubscribe {
        speakers.subscribe(listener)
    }
    /// `voice:signal` addressed to you.
    @discardableResult
    public func onSignal(_ listener: @escaping @Sendable (VoiceSignal) -> Void) -> Unsubscribe { signals.subscribe(listener) }
    /// `voice:error {reason}`: a push of yours was refused.
    @discardableResult
    public func onVoiceError(_ listener: @escaping @Sendable (String) -> Void) -> Unsubscribe { refusals.subscribe(listener) }

    /// ``onPresenceState(_:)`` as a stream.
    public func presenceStateStream() -> AsyncStream<VoicePresenceState> { presence.stream() }
    /// ``onJoined(_:)`` as a stream.
    public func joinedStream() -> AsyncStream<String> { joins.stream() }
    /// ``onLeft(_:)`` as a stream.
    public func leftStream() -> AsyncStream<String> { leaves.stream() }
    /// ``onMute(_:)`` as a stream.
    public func muteStream() -> AsyncStream<VoiceMuteEvent> { mutes.stream() }
    /// ``onActiveSpeaker(_:)`` as a stream.
    public func activeSpeakerStream() -> AsyncStream<VoiceSpeakerEvent> { speakers.stream() }
    /// ``onSignal(_:)`` as a stream.
    public func signalStream() -> AsyncStream<VoiceSignal> { signals.stream() }
    /// Every event of the room, in order.
    public func events() -> AsyncStream<VoiceRoomEvent> { allEvents.stream() }

    /// Joining, joined, or closed.
    public var state: RealtimeChannelState { core.state }
    /// Returns once the topic is joined.
    public func waitUntilJoined() async throws { try await core.waitUntilJoined() }
    /// Problems of this channel (refused, closed, undecodable payloads).
    @discardableResult
    public func onError(_ listener: @escaping @Sendable (RealtimeError) -> Void) -> Unsubscribe { core.errors.subscribe(listener) }

    // MARK: - Driver side (on the loop)

    func joined(isRejoin: Bool) { core.setState(.joined) }

    func interrupted() { core.setState(.joining) }

    func receive(event: String, payload: JSONValue) {
        let decoded: VoiceRoomEvent
        do {
            guard let event = try VoiceRoomEvent(event: event, payload: payload) else { return }
            decoded = event
        } catch {
            core.errors.emit(RealtimeError(code: .invalidFrame, topic: topic, reason: "undecodable \(event)", underlying: error))
            return
        }
        switch decoded {
        case .presenceState(let state):
            room.withLock { $0 = state }
            presence.emit(state)
        case .joined(let userId, let meta):
            if let meta {
                room.withLock { state in
                    if state[userId]?.metas.contains(meta) != true {
                        state[userId, default: VoicePresenceEntry(metas: [])].metas.append(meta)
                    }
                }
            }
            joins.emit(userId)
        case .left(let userId):
            // The room is kept per meta by the server; here a user who left is gone until the next state.
            room.withLock { $0[userId] = nil }
            leaves.emit(userId)
        case .mute(let mute):
            room.withLock { state in
                state[mute.userId]?.metas.indices.forEach { state[mute.userId]?.metas[$0].muteState = mute.muted }
            }
            mutes.emit(mute)
        case .activeSpeaker(let speaker):
            room.withLock { state in
                state[speaker.userId]?.metas.indices.forEach { state[speaker.userId]?.metas[$0].speakingState = speaker.speaking }
            }
            speakers.emit(speaker)
        case .signal(let signal): signals.emit(signal)
        case .error(let reason): refusals.emit(reason)
        }
        allEvents.emit(decoded)
    }

    func failed(_ error: RealtimeError) {
        core.setState(.closed(error))
        core.errors.emit(error)
    }

    func finish() {
        core.finish()
        for hub in [joins, leaves, refusals] { hub.finish() }
        presence.finish()
        mutes.finish()
        speakers.finish()
        signals.finish()
        allEvents.finish()
    }

    func prepareToRejoin() { core.setState(.joining) }

    @discardableResult
    private func request(_ event: String, _ payload: JSONValue) async throws -> JSONValue {
        try await core.request(event, payload)
    }
}

/// The signalling a voice room relays.
public struct VoiceSignalType: RawRepresentable, Hashable, Sendable {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let offer = VoiceSignalType(rawValue: "offer")
    public static let answer = VoiceSignalType(rawValue: "answer")
    public static let iceCandidate = VoiceSignalType(rawValue: "ice-candidate")
}

/// `voice:mute`.
public struct VoiceMuteEvent: Codable, Hashable, Sendable {
    public var userId: String
    public var muted: Bool
    enum CodingKeys: String, CodingKey { case userId = "user_id", muted }
}

/// `voice:active_speaker`.
public struct VoiceSpeakerEvent: Codable, Hashable, Sendable {
    public var userId: String
    public var speaking: Bool
    enum CodingKeys: String, CodingKey { case userId = "user_id", speaking }
}

/// An event of a voice room, typed.
public enum VoiceRoomEvent: Sendable, Hashable {
    case presenceState(VoicePresenceState)
    /// `meta` when the server sends it with the user id (poolse-swift does).
    case joined(userId: String, meta: VoiceMeta?)
    case left(userId: String)
    case mute(VoiceMuteEvent)
    case activeSpeaker(VoiceSpeakerEvent)
    case signal(VoiceSignal)
    /// `voice:error {reason}`.
    case error(reason: String)

    init?(event: String, payload: JSONValue) throws {
        func userId() throws -> String {
            guard let id = payload.objectValue?["user_id"]?.stringValue else {
                throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "user_id is missing"))
            }
            return id
        }
        switch event {
        case VoiceEvent.presenceState: self = .presenceState(try payload.decode(as: VoicePresenceState.self))
        case VoiceEvent.joined: self = .joined(userId: try userId(), meta: try? payload.decode(as: VoiceMeta.self))
        case VoiceEvent.left: self = .left(userId: try userId())
        case VoiceEvent.mute: self = .mute(try payload.decode(as: VoiceMuteEvent.self))
        case VoiceEvent.activeSpeaker: self = .activeSpeaker(try payload.decode(as: VoiceSpeakerEvent.self))
        case VoiceEvent.signal: self = .signal(try payload.decode(as: VoiceSignal.self))
        case VoiceEvent.error: self = .error(reason: payload.objectValue?["reason"]?.stringValue ?? "unknown")
        default: return nil
        }
    }
}

extension ChannelCore {
    /// Pushes `event` and returns the ok reply's response.
    /// - Throws: ``RealtimeError`` `push_rejected` with the server's reason, or `connection_lost`
    ///   when no reply came (socket dropped, channel closed, timeout).
    @discardableResult
    func request(_ event: String, _ payload: JSONValue) async throws -> JSONValue {
        guard let reply = await driver.request(topic: topic, event: event, payload: payload) else {
            throw RealtimeError(code: .connectionLost, topic: topic, reason: "no reply to \(event)")
        }
        guard reply.isOK else {
            throw RealtimeError(code: .pushRejected, topic: topic, reason: reply.response.objectValue?["reason"]?.stringValue)
        }
        return reply.response
    }
}
