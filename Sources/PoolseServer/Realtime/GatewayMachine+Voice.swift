import Foundation
import PoolseWire

/// Voice rooms (`voice:conversation:<id>`, docs/calls.md): the `voice:*` pushes, who is in each
/// room cluster-wide, and signals delivered to their target only.
///
/// A node decides for its own sockets and tells the others twice over `PubSub`, in order: a
/// `GatewayCommand.voice…` that keeps every node's `VoiceRoomTracker` the same, then the event
/// for the room's sockets (`voice:joined`, `voice:left`, `voice:mute`, `voice:active_speaker`,
/// `voice:signal`). Entries of a node gone silent are dropped with a `voice:left` that each node
/// sends its own sockets, as conversation presence does.
extension GatewayMachine {
    /// A `voice:*` push from a socket on the room's topic; `ref` and `joinedAt` name and date a
    /// `voice:join` (passed in, so the machine stays pure). Every push gets a reply; a refused
    /// one also gets `voice:error {reason}`.
    mutating func voice(_ socket: Socket, conversationId: String, request: PhoenixFrame, ref: String,
                        joinedAt: Date) -> [Action] {
        let topic = VoiceEvent.topic(conversationId)
        var actions: [Action] = []
        guard subscriptions[topic]?[socket.id] != nil else {
            refuse(request, CallRefusal(reason: SocketSession.Reason.unmatchedTopic), socket, &actions)
            return actions
        }
        let owner = VoiceRoomTracker.Owner.socket(socket.id)
        let fields = request.payload.objectValue ?? [:]
        let current = voiceRooms.entry(topic: topic, owner: owner)
        switch request.event {
        case VoiceEvent.join:
            actions.append(.send(request.reply(status: "ok"), to: socket))
            guard current == nil else {
                sendVoiceState(to: socket, topic: topic, joinRef: request.joinRef, &actions)
                return actions
            }
            let entry = VoiceRoomTracker.Entry(ref: ref, meta: VoiceMeta(
                userId: socket.userId, muteState: fields["muted"]?.boolValue ?? false,
                speakingState: fields["speaking"]?.boolValue ?? false, joinedAt: joinedAt))
            voiceRooms.put(topic: topic, owner: owner, entry)
            actions.append(.announce(GatewayCommand.voiceJoin(node: nodeId, announcement(topic, entry)).message))
            sendVoiceState(to: socket, topic: topic, joinRef: request.joinRef, &actions)
            // The joiner hears of its own join first; the room through every node, the joiner's user left out.
            // `{user_id}` plus the meta (additive: clients can show the newcomer without waiting for a state).
            guard let joined = try? RealtimeMessage(topic: topic, event: VoiceEvent.joined, encoding: entry.meta,
                                                    exceptUserId: socket.userId)
            else { return actions }
            actions.append(.sendEncoded(PhoenixFrame.pushBuffer(topic: topic, event: joined.event, payloadJSON: joined.payloadJSON),
                                        to: socket))
            actions.append(.announce(joined))
        case VoiceEvent.leave:
            actions.append(.send(request.reply(status: "ok"), to: socket))
            leaveVoiceRoom(socket, topic: topic, &actions)
        case VoiceEvent.mute, VoiceEvent.unmute:
            guard var entry = current else { return refused(request, .notInRoom, socket) }
            let muted = fields["muted"]?.boolValue ?? (request.event == VoiceEvent.mute)
            entry.meta.muteState = muted
            update(topic, owner, entry, event: VoiceEvent.mute,
                   payload: ["user_id": .string(socket.userId), "muted": .bool(muted)], &actions)
            actions.insert(.send(request.reply(status: "ok"), to: socket), at: 0)
        case VoiceEvent.activeSpeaker:
            guard var entry = current else { return refused(request, .notInRoom, socket) }
            guard let speaking = fields["speaking"]?.boolValue else { return refused(request, .invalidPayload, socket) }
            entry.meta.speakingState = speaking
            update(topic, owner, entry, event: VoiceEvent.activeSpeaker,
                   payload: ["user_id": .string(socket.userId), "speaking": .bool(speaking)], &actions)
            actions.insert(.send(request.reply(status: "ok"), to: socket), at: 0)
        case VoiceEvent.signal:
            guard current != nil else { return refused(request, .notInRoom, socket) }
            guard let type = fields["type"]?.stringValue, VoiceSignal.types.contains(type),
                  let target = fields["target_user_id"]?.stringValue
            else { return refused(request, .invalidPayload, socket) }
            guard let data = fields["data"], !Self.isEmpty(data) else { return refused(request, .emptySignal, socket) }
            guard voiceRooms.contains(topic: topic, userId: target) else { return refused(request, .targetNotInRoom, socket) }
            let signal = VoiceSignal(fromUserId: socket.userId, targetUserId: target, type: type, data: data)
            guard let message = try? RealtimeMessage(topic: topic, event: VoiceEvent.signal, encoding: signal) else {
                return refused(request, .internalError, socket)
            }
            actions.append(.send(request.reply(status: "ok"), to: socket))
            actions.append(.announce(message))
        default:
            return refused(request, .unhandledEvent, socket)
        }
        return actions
    }

    /// `voice:presence_state` to one socket: on joining the topic, and on `voice:join`.
    func sendVoiceState(to socket: Socket, topic: String, joinRef: String?, _ actions: inout [Action]) {
        guard let state = try? WireCoding.encoder.encode(voiceRooms.state(of: topic)) else { return }
        actions.append(.sendEncoded(PhoenixFrame.pushBuffer(joinRef: joinRef, topic: topic, event: VoiceEvent.presenceState,
                                                            payloadJSON: String(decoding: state, as: UTF8.self)),
                                    to: socket))
    }

    /// A signal goes to its target's sockets on this node only (SDP is not the room's business).
    func deliverSignal(_ message: RealtimeMessage, _ actions: inout [Action]) {
        guard let target = message.payload.objectValue?["target_user_id"]?.stringValue,
              let subscribed = subscriptions[message.topic]
        else { return }
        let targets = subscribed.values.map(\.socket).filter { $0.userId == target }
        guard !targets.isEmpty else { return }
        actions.append(.deliver(PhoenixFrame.pushBuffer(topic: message.topic, event: message.event,
                                                        payloadJSON: message.payloadJSON),
                                to: targets))
    }

    /// The socket is out of the room (it sent `voice:leave`, left the topic or ended).
    mutating func leaveVoiceRoom(_ socket: Socket, topic: String, _ actions: inout [Action]) {
        guard let entry = voiceRooms.remove(topic: topic, owner: .socket(socket.id)) else { return }
        actions.append(.announce(GatewayCommand.voiceLeave(node: nodeId, announcement(topic, entry)).message))
        actions.append(.announce(RealtimeMessage(topic: topic, event: VoiceEvent.left,
                                                 payload: ["user_id": .string(socket.userId)])))
    }

    /// A voice command from another node (this node's own never get here).
    mutating func applyVoice(_ command: GatewayCommand, now: ContinuousClock.Instant, _ actions: inout [Action]) {
        switch command {
        case .voiceJoin(let node, let entry):
            guard heard(node, at: now, &actions) else { return }
            voiceRooms.put(topic: entry.topic, owner: .remote(node: node, ref: entry.ref),
                           VoiceRoomTracker.Entry(ref: entry.ref, meta: entry.meta))
        case .voiceLeave(let node, let entry):
            guard heard(node, at: now, &actions) else { return }
            _ = voiceRooms.remove(topic: entry.topic, owner: .remote(node: node, ref: entry.ref))
        case .voiceHeartbeat(let node, let entries):
            guard heard(node, at: now, &actions) else { return }
            replaceVoiceEntries(of: node, with: entries, &actions)
        default:
            return
        }
    }

    /// Makes `node`'s entries `entries`; those that vanished (their leave never came, or the
    /// node went silent) get a `voice:left` here, for this node's sockets.
    mutating func replaceVoiceEntries(of node: String, with entries: [VoiceAnnouncement], _ actions: inout [Action]) {
        for (topic, userId) in voiceRooms.replace(node: node, with: entries).left {
            broadcast(RealtimeMessage(topic: topic, event: VoiceEvent.left, payload: ["user_id": .string(userId)]), &actions)
        }
    }

    // MARK: - Helpers

    private mutating func update(_ topic: String, _ owner: VoiceRoomTracker.Owner, _ entry: VoiceRoomTracker.Entry,
                                 event: String, payload: JSONValue, _ actions: inout [Action]) {
        voiceRooms.put(topic: topic, owner: owner, entry)
        actions.append(.announce(GatewayCommand.voiceJoin(node: nodeId, announcement(topic, entry)).message))
        actions.append(.announce(RealtimeMessage(topic: topic, event: event, payload: payload)))
    }

    private func announcement(_ topic: String, _ entry: VoiceRoomTracker.Entry) -> VoiceAnnouncement {
        VoiceAnnouncement(topic: topic, ref: entry.ref, meta: entry.meta)
    }

    private func refused(_ request: PhoenixFrame, _ refusal: CallRefusal, _ socket: Socket) -> [Action] {
        var actions: [Action] = []
        refuse(request, refusal, socket, &actions)
        return actions
    }

    /// An error reply, then `voice:error {reason}` (the JS SDK listens for the event; a Phoenix
    /// push also sees its reply).
    private func refuse(_ request: PhoenixFrame, _ refusal: CallRefusal, _ socket: Socket, _ actions: inout [Action]) {
        actions.append(.send(SocketSession.error(request, refusal.reason), to: socket))
        let payload = JSONValue.object(["reason": .string(refusal.reason)]).jsonText
        actions.append(.sendEncoded(PhoenixFrame.pushBuffer(joinRef: request.joinRef, topic: request.topic,
                                                            event: VoiceEvent.error, payloadJSON: payload),
                                    to: socket))
    }

    /// A signal's `data` must carry something: not null, "", {} or [].
    private static func isEmpty(_ data: JSONValue) -> Bool {
        switch data {
        case .null: true
        case .string(let text): text.isEmpty
        case .object(let object): object.isEmpty
        case .array(let array): array.isEmpty
        default: false
        }
    }
}
