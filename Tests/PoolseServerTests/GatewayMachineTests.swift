import Foundation
import NIOCore
import PoolseWire
import Testing
@testable import PoolseServer

/// The gateway as a pure state machine: inputs (with the time) in, actions out; sockets in
/// memory and no clock.
@Suite("Realtime: gateway state machine")
struct GatewayMachineTests {
    typealias Machine = GatewayMachine<MemorySocket>
    typealias Action = Machine.Action

    let t0 = ContinuousClock.now
    let room = "conversation:0b9f3a52-33f4-4e5a-9a3e-6f1b2c3d4e5f"
    let otherRoom = "conversation:1c9f3a52-33f4-4e5a-9a3e-6f1b2c3d4e5f"
    let conversationId = "0b9f3a52-33f4-4e5a-9a3e-6f1b2c3d4e5f"

    /// Heartbeat timeout 60 s (swept every second), presence heartbeat 5 s, presence timeout 15 s, typing 5 s.
    func machine() -> Machine {
        Machine(nodeId: "A", settings: Machine.Settings(RealtimeConfiguration()), now: t0)
    }

    func socket(_ userId: String) -> MemorySocket { MemorySocket(userId: userId, heardAt: t0) }

    func meta(_ socket: MemorySocket) -> PresenceMeta {
        PresenceMeta(phxRef: "ref-\(socket.userId)", onlineAt: 1_800_000_000, externalId: socket.externalId)
    }

    /// Registers and joins `socket` to `topic`; returns the join's actions.
    @discardableResult
    func join(_ machine: inout Machine, _ socket: MemorySocket, _ topic: String, ref: String = "1") throws -> [Action] {
        if machine.sockets[socket.id] == nil { machine.register(socket) }
        let request = PhoenixFrame(joinRef: ref, ref: ref, topic: topic, event: "phx_join")
        let (outcome, actions) = machine.join(socket, topic: try #require(Topic(topic)), request: request,
                                              authorizedAt: machine.revocations, meta: meta(socket))
        #expect(outcome == .joined)
        return actions
    }

    /// The deliveries among `actions`: each frame's event and topic, and whom it went to.
    func deliveries(_ actions: [Action]) -> [(event: String, topic: String, to: Set<String>)] {
        actions.compactMap { action in
            guard case .deliver(let bytes, let targets) = action,
                  let frame = try? PhoenixFrame.decode(Data(String(buffer: bytes).utf8)) else { return nil }
            return (frame.event, frame.topic, Set(targets.map(\.userId)))
        }
    }

    func announced(_ actions: [Action]) -> [RealtimeMessage] {
        actions.compactMap { if case .announce(let message) = $0 { message } else { nil } }
    }

    func wakes(_ actions: [Action]) -> [ContinuousClock.Instant] {
        actions.compactMap { if case .wake(let at) = $0 { at } else { nil } }
    }

    // MARK: - Delivery

    @Test func anEventIsFramedOnceForTheSocketsOfItsTopicExceptTheExcludedUser() throws {
        var machine = machine()
        let ann = socket("ann"), bob = socket("bob"), carol = socket("carol")
        try join(&machine, ann, room)
        try join(&machine, bob, room)
        try join(&machine, carol, otherRoom)

        let message = RealtimeMessage(topic: room, event: "message:new", payload: ["id": "m1"])
        let actions = machine.receive(message, now: t0)
        #expect(actions.count == 1)
        let delivered = deliveries(actions)
        #expect(delivered.map(\.event) == ["message:new"])
        #expect(delivered.first?.to == ["ann", "bob"])

        let typing = RealtimeMessage(topic: room, event: "typing:start", payload: [:], exceptUserId: "ann")
        #expect(deliveries(machine.receive(typing, now: t0)).first?.to == ["bob"])
        let nobodyThere = RealtimeMessage(topic: "conversation:2d9f3a52-33f4-4e5a-9a3e-6f1b2c3d4e5f", event: "message:new",
                                          payload: [:])
        #expect(machine.receive(nobodyThere, now: t0).isEmpty)
    }

    @Test func aConversationJoinRepliesThenSendsTheStateThenTheDiff() throws {
        var machine = machine()
        let ann = socket("ann"), bob = socket("bob")
        try join(&machine, ann, room)
        let actions = try join(&machine, bob, room, ref: "7")
        guard actions.count == 4,
              case .send(let reply, to: bob) = actions[0],
              case .announce(let announcement) = actions[1],
              case .sendEncoded(let state, to: bob) = actions[2],
              case .deliver = actions[3]
        else {
            Issue.record("unexpected actions: \(actions)")
            return
        }
        #expect(reply == PhoenixFrame(joinRef: "7", ref: "7", topic: room, event: "phx_reply",
                                      payload: ["status": "ok", "response": [:]]))
        #expect(GatewayCommand(announcement) == .presenceJoin(node: "A", PresenceAnnouncement(topic: room, userId: "bob",
                                                                                              meta: meta(bob))))
        let stateFrame = try PhoenixFrame.decode(Data(String(buffer: state).utf8))
        #expect(stateFrame.joinRef == "7" && stateFrame.event == "presence_state")
        #expect(stateFrame.payload.objectValue?.keys.sorted() == ["ann", "bob"])
        #expect(deliveries(actions).first?.to == ["ann", "bob"])
        #expect(machine.joinedCount == 2)
    }

    @Test func aReJoinKeepsThePresenceAndTellsPeersNothing() throws {
        var machine = machine()
        let ann = socket("ann"), bob = socket("bob")
        try join(&machine, ann, room)
        try join(&machine, bob, room)
        let again = PhoenixFrame(joinRef: "2", ref: "2", topic: room, event: "phx_join")
        let newMeta = PresenceMeta(phxRef: "another", onlineAt: 0, externalId: bob.externalId)
        let (outcome, actions) = machine.join(bob, topic: try #require(Topic(room)), request: again,
                                              authorizedAt: machine.revocations, meta: newMeta)
        #expect(outcome == .joined)
        guard actions.count == 2, case .send(let reply, to: bob) = actions[0], case .sendEncoded(let state, to: bob) = actions[1]
        else {
            Issue.record("unexpected actions: \(actions)")
            return
        }
        #expect(reply.joinRef == "2" && reply.event == "phx_reply")
        let stateFrame = try PhoenixFrame.decode(Data(String(buffer: state).utf8))
        #expect(stateFrame.joinRef == "2")
        // The first join's meta, not the new one.
        let firstMeta = try JSONValue.from(meta(bob))
        #expect(stateFrame.payload.objectValue?["bob"] == ["metas": [firstMeta]])
        #expect(machine.joinedCount == 2)
        // Events reach the socket once.
        let delivered = deliveries(machine.receive(RealtimeMessage(topic: room, event: "message:new", payload: [:]), now: t0))
        #expect(delivered.first?.to == ["ann", "bob"])
    }

    @Test func aJoinAuthorizedBeforeARevocationIsSentBackAndAGoneSocketIsNotJoined() throws {
        var machine = machine()
        let ann = socket("ann")
        machine.register(ann)
        let epoch = machine.revocations
        _ = machine.receive(GatewayCommand.revokeMembership(conversationId: conversationId, userId: "bob").message, now: t0)
        let request = PhoenixFrame(joinRef: "1", ref: "1", topic: room, event: "phx_join")
        let topic = try #require(Topic(room))
        let stale = machine.join(ann, topic: topic, request: request, authorizedAt: epoch, meta: meta(ann))
        #expect(stale.0 == .retry && stale.1.isEmpty)
        let gone = socket("gone")
        let unknown = machine.join(gone, topic: topic, request: request, authorizedAt: machine.revocations, meta: meta(gone))
        #expect(unknown.0 == .gone && unknown.1.isEmpty)
    }

    @Test func aRevocationClosesTheTopicAndABlockClosesTheSocket() throws {
        var machine = machine()
        let ann = socket("ann"), bob = socket("bob")
        try join(&machine, ann, room)
        try join(&machine, bob, room, ref: "4")
        let revoke = machine.receive(GatewayCommand.revokeMembership(conversationId: conversationId, userId: "bob").message,
                                     now: t0)
        #expect(revoke.contains(.send(PhoenixFrame(joinRef: "4", ref: "4", topic: room, event: "phx_close"), to: bob)))
        #expect(revoke.contains(.kicked(bob, topic: room, joinRef: "4")))
        #expect(deliveries(revoke).map(\.to) == [["ann"]])  // bob's presence leave, to ann only
        #expect(deliveries(machine.receive(RealtimeMessage(topic: room, event: "message:new", payload: [:]), now: t0))
            .first?.to == ["ann"])

        let block = machine.receive(GatewayCommand.disconnectUser(userId: "ann").message, now: t0)
        #expect(block.contains(.kicked(ann, topic: room, joinRef: "1")))
        #expect(block.last == .close(ann))
        #expect(machine.socketCount == 1 && machine.joinedCount == 0)
    }

    // MARK: - Time

    @Test func startSaysHelloAndEveryTickAsksForTheNextWake() {
        var machine = machine()
        let start = machine.start()
        #expect(announced(start).compactMap(GatewayCommand.init) == [.presenceHello(node: "A")])
        #expect(wakes(start) == [t0 + .seconds(1)])  // the first sweep
        #expect(wakes(machine.tick(now: t0 + .seconds(1))) == [t0 + .seconds(2)])
        // The presence heartbeat is due at 5 s, with this node's entries.
        let atFive = machine.tick(now: t0 + .seconds(5))
        #expect(announced(atFive).compactMap(GatewayCommand.init) == [.presenceHeartbeat(node: "A", []),
                                                                      .voiceHeartbeat(node: "A", [])])
        #expect(wakes(atFive) == [t0 + .seconds(6)])
    }

    @Test func typingStartsOnceAndStopsWhenItsTimeIsUp() throws {
        var machine = machine()
        let ann = socket("ann")
        try join(&machine, ann, room)
        _ = machine.start()
        let first = machine.typing(ann, conversationId: conversationId, now: t0)
        #expect(announced(first).map(\.event) == ["typing:start"])
        #expect(announced(first).first?.exceptUserId == "ann")
        #expect(machine.typing(ann, conversationId: conversationId, now: t0 + .seconds(2)).isEmpty)
        // The push at 2 s moved the stop to 7 s.
        _ = machine.tick(now: t0 + .seconds(5))
        let atSix = machine.tick(now: t0 + .seconds(6))
        #expect(!announced(atSix).contains { $0.event == "typing:stop" })
        let atSeven = machine.tick(now: t0 + .seconds(7))
        #expect(announced(atSeven).map(\.event) == ["typing:stop"])
        // A socket that is not on the topic cannot type there.
        let stranger = socket("stranger")
        machine.register(stranger)
        #expect(machine.typing(stranger, conversationId: conversationId, now: t0).isEmpty)
    }

    @Test func aMessageEndsItsSendersTypingAtOnce() throws {
        var machine = machine()
        let ann = socket("ann")
        try join(&machine, ann, room)
        _ = machine.typing(ann, conversationId: conversationId, now: t0)
        let sent = machine.receive(RealtimeMessage(topic: room, event: "message:new", payload: ["sender_id": "ann"]), now: t0)
        #expect(announced(sent).map(\.event) == ["typing:stop"])
    }

    @Test func socketsSilentForTheHeartbeatTimeoutAreClosedAtTheNextSweep() throws {
        var machine = machine()
        let silent = socket("silent"), chatty = socket("chatty")
        machine.register(silent)
        machine.register(chatty)
        chatty.heard(at: t0 + .seconds(30))
        #expect(!machine.tick(now: t0 + .seconds(59)).contains(.close(silent)))
        let closing = machine.tick(now: t0 + .seconds(61))
        #expect(closing.contains(.close(silent)))
        #expect(!closing.contains(.close(chatty)))
    }

    @Test func anotherNodesPresenceIsDroppedOnceItIsSilentForTheTimeout() throws {
        var machine = machine()
        let ann = socket("ann")
        try join(&machine, ann, room)
        let entry = PresenceAnnouncement(topic: room, userId: "bob", meta: PresenceMeta(phxRef: "b1", onlineAt: 0, externalId: "bob"))
        let joined = machine.receive(GatewayCommand.presenceJoin(node: "B", entry).message, now: t0)
        #expect(deliveries(joined).map(\.event) == ["presence_diff"])
        // B's own announcements are B's, this node's are ignored.
        #expect(machine.receive(GatewayCommand.presenceJoin(node: "A", entry).message, now: t0).isEmpty)

        let beforeTimeout = machine.tick(now: t0 + .seconds(14))
        #expect(deliveries(beforeTimeout).isEmpty)
        #expect(wakes(beforeTimeout) == [t0 + .seconds(15)])
        let dropped = machine.tick(now: t0 + .seconds(15))
        #expect(dropped.contains(.notice("dropped the presence of a silent node", node: "B")))
        let leave = try #require(dropped.compactMap { action -> PhoenixFrame? in
            guard case .deliver(let bytes, _) = action else { return nil }
            return try? PhoenixFrame.decode(Data(String(buffer: bytes).utf8))
        }.first)
        #expect(leave.payload.member("leaves").member("bob") != .null)
    }

    @Test func aDisconnectLeavesEveryTopicWithPresenceAndTyping() throws {
        var machine = machine()
        let ann = socket("ann"), bob = socket("bob")
        try join(&machine, ann, room)
        try join(&machine, bob, room)
        _ = machine.typing(ann, conversationId: conversationId, now: t0)
        let gone = machine.disconnect(ann)
        #expect(deliveries(gone).map(\.to) == [["bob"]])
        #expect(announced(gone).compactMap { GatewayCommand($0) }.count == 1)  // the presence leave
        #expect(announced(gone).contains { $0.event == "typing:stop" })
        #expect(machine.socketCount == 1 && machine.joinedCount == 1)
        #expect(machine.disconnect(ann).isEmpty)
    }
}
