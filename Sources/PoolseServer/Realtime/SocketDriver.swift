import Foundation
import Logging
import NIOCore
import NIOWebSocket
import PoolseWire
import WSCore

/// Runs one connected socket: feeds the frames it reads to its `SocketSession` and carries out
/// the actions, writes the frames queued on its `SocketHandle`, and closes it when it goes silent.
struct SocketDriver: Sendable {
    let socket: SocketHandle
    let gateway: RealtimeGateway
    let store: Store
    let typingLimiter: RateLimiter
    let calls: CallService
    let configuration: RealtimeConfiguration
    let logger: Logger

    /// Serves the socket until the client leaves, the socket is closed, or it fails (a frame over
    /// the size limit: the error carries the close code). Reading is the socket's only task:
    /// frames are written by whoever queues them (`SocketHandle`) and silence is watched by the
    /// gateway for all sockets at once, because every task held per socket costs memory.
    func run(inbound: WebSocketInboundStream) async throws {
        do {
            try await read(inbound)
        } catch {
            await end()
            throw error
        }
        await end()
    }

    private func end() async {
        await gateway.disconnect(socket)
        socket.closeQueue()
    }

    // MARK: - Reading

    private func read(_ inbound: WebSocketInboundStream) async throws {
        var session = SocketSession(joinRate: configuration.joinRate, maxTopics: configuration.maxTopicsPerSocket,
                                    voiceRate: calls.configuration.voicePushRate)
        for try await message in inbound.messages(maxSize: configuration.maxFrameSize) {
            socket.heard()
            for kick in socket.takeKicks() { session.kicked(from: kick.topic, joinRef: kick.joinRef) }
            guard case .text(let text) = message, let frame = try? PhoenixFrame.decode(Data(text.utf8)) else {
                // Not a v2 frame: there is nothing to reply to, so it is dropped and the socket stays open.
                logger.debug("dropped a malformed frame")
                continue
            }
            for action in session.receive(frame, at: configuration.clock.now) { await perform(action, &session) }
        }
    }

    private func perform(_ action: SocketSession.Action, _ session: inout SocketSession) async {
        switch action {
        case .send(let frame):
            socket.send(frame)
        case .join(let topic, let request):
            if await join(topic, request) {
                session.joined(topic.name, joinRef: request.joinRef)
            } else {
                // A refused re-join ends the join it replaced (its phx_close is already sent).
                await gateway.leave(socket, topic: topic.name)
            }
        case .unsubscribe(let topic):
            await gateway.leave(socket, topic: topic)
        case .typing(let conversationId):
            // Over the limit the push is dropped silently (PROTOCOL.md §4.3).
            guard await typingLimiter.acquire(caller: "user:\(socket.userId)", rateClass: .typing) == nil else { return }
            await gateway.typing(socket, conversationId: conversationId)
        case .call(let frame):
            // Each call push is a write; over the writes limit it is refused, never dropped. (The
            // endpoint's limiter, named for typing, its first use, holds these buckets too.)
            let reply: CallService.Reply
            if await typingLimiter.acquire(caller: "user:\(socket.userId)", rateClass: .writes) != nil {
                reply = .failure(CallRefusal(reason: SocketSession.Reason.rateLimited))
            } else {
                reply = await calls.handle(event: frame.event, payload: frame.payload, caller: socket.principal)
            }
            switch reply {
            case .success(let response): socket.send(frame.reply(status: "ok", response: response))
            case .failure(let refusal): socket.send(SocketSession.error(frame, refusal.reason))
            }
        case .voice(let conversationId, let frame):
            await gateway.voice(socket, conversationId: conversationId, request: frame)
        }
    }

    /// Authorizes and joins. A kick that lands between the check and the subscription (the
    /// gateway counts them) sends the join back for another check, so a member removed at that
    /// moment is never subscribed.
    private func join(_ topic: Topic, _ request: PhoenixFrame) async -> Bool {
        for _ in 0..<3 {
            let epoch = await gateway.revocations
            let allowed: Bool
            do {
                allowed = try await mayJoin(topic)
            } catch {
                logger.error("join check failed", metadata: ["error": "\(String(reflecting: type(of: error)))"])
                socket.send(SocketSession.error(request, "internal error"))
                return false
            }
            guard allowed else { break }
            switch await gateway.join(socket, topic: topic, request: request, authorizedAt: epoch) {
            case .joined: return true
            case .gone: return false
            case .retry: continue
            }
        }
        socket.send(SocketSession.error(request, SocketSession.Reason.unauthorized))
        return false
    }

    private func mayJoin(_ topic: Topic) async throws -> Bool {
        switch topic {
        case .user(let id):
            return id == socket.userId
        case .conversation(let id), .voice(let id):
            do {
                _ = try await store.read { try await ConversationService.visibleConversation(id: id, caller: socket.principal, $0) }
                return true
            } catch let error as DomainError where error.code == .notFound {
                return false
            }
        }
    }
}
