import Foundation
import NIOCore
import PoolseWire
import Testing
@testable import PoolseServer

/// Voice rooms in the gateway state machine: two machines (nodes A and B) joined by a hand-run
/// pub/sub that hands each one everything either announces, on a virtual clock.
@Suite("Realtime: voice rooms in the gateway machine")
struct VoiceRoomMachineTests {
    typealias Machine = GatewayMachine<MemorySocket>
    typealias Action = Machine.Action

    let t0 = ContinuousClock.now
    let conversationId = "0b9f3a52-33f4-4e5a-9a3e-6f1b2c3d4e5f"
    var topic: String { VoiceEvent.topic(conversationId) }
    let joinedAt = Date(timeIntervalSince1970: 1_800_000_000)

    /// Nodes A and B and the pub/sub between them.
    struct Cluster {
        var a: Machine
        var b: Machine
        let now: ContinuousClock.Instant

        /// Carries out `actions` of a node: frames are written to their sockets, announcements go
        /// to both nodes (the announcer included, as `PubSub` does), and so on until quiet.
        mutating func run(_ actions: [Action]) {
            var pending = actions
            let at = now
            while !pending.isEmpty {
                let action = pending.removeFirst()
                switch action {
                case .deliver(let bytes, let targets):
                    for socket in targets { socket.enqueue(bytes) }
                case .send(let frame, let socket):
                    socket.send(frame)
                case .sendEncoded(let bytes, let socket):
                    socket.enqueue(bytes)
                case .kicked(let socket, let topic, let joinRef):
                    socket.kicked(from: topic, joinRef: joinRef)
                case .announce(let message):
                    let onA = a.receive(message, now: at)
                    let onB = b.receive(message, now: at)
                    pending += onA + onB
                default:
                    continue
                }
            }
        }
    }

    func cluster() -> Cluster {
        let settings = Machine.Settings(RealtimeConfiguration())
        return Cluster(a: Machine(nodeId: "A", settings: settings, now: t0), b: Machine(nodeId: "B", settings: settings, now: t0),
                       now: t0)
    }

    func socket(_ userId: String) -> MemorySocket { MemorySocket(userId: userId, heardAt: t0) }

    /// Subscribes `socket` to the room's topic on `machine`.
    func subscribe(_ machine: inout Machine, _ socket: MemorySocket) throws -> [Action] {
        machine.register(socket)
        let request = PhoenixFrame(joinRef: "v", ref: "v", topic: topic, event: "phx_join")
        let (outcome, actions) = machine.join(socket, topic: try #require(Topic(topic)), request: request,
                                              authorizedAt: machine.revocations,
                                              meta: PresenceMeta(phxRef: "p-\(socket.userId)", onlineAt: 0, externalId: nil))
        #expect(outcome == .joined)
        return actions
    }

    func push(_ event: String, _ payload: JSONValue = [:], ref: String = "1") -> PhoenixFrame {
        PhoenixFrame(joinRef: "v", ref: ref, topic: topic, event: event, payload: payload)
    }

    /// `socket` pushes `event` on `machine` (A or B) and the cluster carries out what follows.
    func voice(_ cluster: inout Cluster, onB: Bool = false, _ socket: MemorySocket, _ event: String,
               _ payload: JSONValue = [:], ref: String = "1") {
        let request = push(event, payload, ref: ref)
        let actions = onB
            ? cluster.b.voice(socket, conversationId: conversationId, request: request, ref: "r-\(socket.userId)", joinedAt: joinedAt)
            : cluster.a.voice(socket, conversationId: conversationId, request: request, ref: "r-\(socket.userId)", joinedAt: joinedAt)
        cluster.run(actions)
    }

    /// The voice events a socket received, oldest first (replies as `reply:<status>`).
    func events(_ socket: MemorySocket) -> [String] {
        socket.frames.map { $0.event == PhoenixFrame.Event.reply ? "reply:\($0.payload.member("status").stringValue ?? "")" : $0.event }
    }

    // MARK: - Joining

    @Test func joiningTheTopicShowsTheRoomAndVoiceJoinTellsTheJoinerFirstThenTheRoomOnEveryNode() throws {
        var cluster = cluster()
        let ann = socket("ann"), bob = socket("bob")
        cluster.run(try subscribe(&cluster.a, ann))
        cluster.run(try subscribe(&cluster.b, bob))
        // On the topic but not yet in the room: the state is empty.
        #expect(ann.frames.last?.event == VoiceEvent.presenceState)
        #expect(ann.frames.last?.payload == [:])

        voice(&cluster, ann, VoiceEvent.join, ["muted": true, "speaking": false])
        #expect(events(ann).suffix(3) == ["reply:ok", VoiceEvent.presenceState, VoiceEvent.joined])
        let state = try #require(ann.frames.dropLast().last)
        #expect(state.payload.member("ann").member("metas") == [[
            "user_id": "ann", "mute_state": true, "speaking_state": false, "joined_at": "2027-01-15T08:00:00.000000Z",
        ]])
        // Bob, on node B, hears of it once; Ann does not hear it a second time.
        #expect(bob.events.filter { $0 == VoiceEvent.joined } == [VoiceEvent.joined])
        #expect(bob.frames.last?.payload == ["user_id": "ann", "mute_state": true, "speaking_state": false,
                                             "joined_at": "2027-01-15T08:00:00.000000Z"])
        #expect(ann.events.filter { $0 == VoiceEvent.joined }.count == 1)

        // Node B knows who is in the room: Bob joining there sees Ann.
        voice(&cluster, onB: true, bob, VoiceEvent.join)
        let bobState = try #require(bob.frames.first { $0.event == VoiceEvent.presenceState && $0.payload != [:] })
        #expect(Set(bobState.payload.objectValue?.keys.map { $0 } ?? []) == ["ann", "bob"])
    }

    @Test func leavingDisconnectingAndMutingAreSeenByTheWholeRoom() throws {
        var cluster = cluster()
        let ann = socket("ann"), bob = socket("bob"), carol = socket("carol")
        cluster.run(try subscribe(&cluster.a, ann))
        cluster.run(try subscribe(&cluster.b, bob))
        cluster.run(try subscribe(&cluster.b, carol))
        voice(&cluster, ann, VoiceEvent.join)
        voice(&cluster, onB: true, bob, VoiceEvent.join)

        voice(&cluster, ann, VoiceEvent.mute, ["muted": true])
        #expect(bob.frames.last?.event == VoiceEvent.mute)
        #expect(bob.frames.last?.payload == ["user_id": "ann", "muted": true])
        voice(&cluster, ann, VoiceEvent.unmute, [:])
        #expect(bob.frames.last?.payload == ["user_id": "ann", "muted": false])
        voice(&cluster, onB: true, bob, VoiceEvent.activeSpeaker, ["speaking": true])
        #expect(ann.frames.last?.event == VoiceEvent.activeSpeaker)
        #expect(ann.frames.last?.payload == ["user_id": "bob", "speaking": true])

        voice(&cluster, onB: true, bob, VoiceEvent.leave)
        #expect(ann.frames.last?.event == VoiceEvent.left)
        #expect(carol.frames.last?.payload == ["user_id": "bob"])
        // Ann's socket ends: the room hears she left, on the other node too.
        cluster.run(cluster.a.disconnect(ann))
        #expect(carol.frames.last?.event == VoiceEvent.left)
        #expect(carol.frames.last?.payload == ["user_id": "ann"])
        // Nobody is left in the room, on either node.
        let late = socket("dan")
        cluster.run(try subscribe(&cluster.b, late))
        #expect(late.frames.last?.payload == [:])
    }

    // MARK: - Signals

    @Test func aSignalReachesOnlyItsTargetsSocketsOnWhicheverNode() throws {
        var cluster = cluster()
        let ann = socket("ann"), bob = socket("bob"), carol = socket("carol"), carolOnA = socket("carol")
        for (onB, socket) in [(false, ann), (false, bob), (true, carol), (false, carolOnA)] {
            if onB { cluster.run(try subscribe(&cluster.b, socket)) } else { cluster.run(try subscribe(&cluster.a, socket)) }
            voice(&cluster, onB: onB, socket, VoiceEvent.join)
        }
        let before = bob.frames.count
        voice(&cluster, ann, VoiceEvent.signal, ["type": "offer", "target_user_id": "carol", "data": ["sdp": "v=0"]], ref: "s")
        #expect(ann.frames.last?.payload.member("status") == "ok")
        for target in [carol, carolOnA] {
            #expect(target.frames.last?.event == VoiceEvent.signal)
            #expect(target.frames.last?.payload == ["from_user_id": "ann", "target_user_id": "carol", "type": "offer",
                                                    "data": ["sdp": "v=0"]])
        }
        // Bob is in the same room and on the same node as Ann: he gets nothing.
        #expect(bob.frames.count == before)
    }

    @Test func signalsWithoutDataToSomeoneOutOfTheRoomOrFromOutsideItAreRefused() throws {
        var cluster = cluster()
        let ann = socket("ann"), bob = socket("bob"), lurker = socket("lurker")
        cluster.run(try subscribe(&cluster.a, ann))
        cluster.run(try subscribe(&cluster.a, bob))
        cluster.run(try subscribe(&cluster.b, lurker))  // on the topic, never joined the room
        voice(&cluster, ann, VoiceEvent.join)
        voice(&cluster, bob, VoiceEvent.join)

        func refusal(_ payload: JSONValue, from socket: MemorySocket = ann, onB: Bool = false) -> [JSONValue] {
            voice(&cluster, onB: onB, socket, VoiceEvent.signal, payload, ref: "s")
            return socket.frames.suffix(2).map { $0.event == VoiceEvent.error ? $0.payload : $0.payload.member("response") }
        }
        for data: JSONValue in [.null, "", [:], []] {
            #expect(refusal(["type": "offer", "target_user_id": "bob", "data": data]) == [["reason": "empty_signal"],
                                                                                        ["reason": "empty_signal"]])
        }
        #expect(refusal(["type": "offer", "target_user_id": "bob"]).last == ["reason": "empty_signal"])
        #expect(refusal(["type": "offer", "target_user_id": "lurker", "data": "x"]).last == ["reason": "target_not_in_room"])
        #expect(refusal(["type": "renegotiate", "target_user_id": "bob", "data": "x"]).last == ["reason": "invalid_payload"])
        #expect(refusal(["type": "answer", "target_user_id": "ann", "data": "x"], from: lurker, onB: true).last
                == ["reason": "not_in_room"])
        #expect(!bob.events.contains(VoiceEvent.signal))
        voice(&cluster, ann, "voice:dance", [:], ref: "d")
        #expect(ann.frames.last?.payload == ["reason": "unhandled event"])
        voice(&cluster, onB: true, lurker, VoiceEvent.mute, ["muted": true], ref: "m")
        #expect(lurker.frames.last?.payload == ["reason": "not_in_room"])
    }

    // MARK: - Nodes

    @Test func theVoiceEntriesOfASilentNodeAreDroppedWithVoiceLeft() throws {
        var cluster = cluster()
        let ann = socket("ann"), bob = socket("bob")
        cluster.run(try subscribe(&cluster.a, ann))
        cluster.run(try subscribe(&cluster.b, bob))
        voice(&cluster, onB: true, bob, VoiceEvent.join)
        #expect(ann.frames.last?.event == VoiceEvent.joined)
        // B stops talking (it died); A drops its entries after the presence timeout (15 s).
        _ = cluster.a.tick(now: t0 + .seconds(14))
        #expect(ann.frames.last?.event == VoiceEvent.joined)
        for action in cluster.a.tick(now: t0 + .seconds(15)) {
            if case .deliver(let bytes, let targets) = action { for socket in targets { socket.enqueue(bytes) } }
        }
        #expect(ann.frames.last?.event == VoiceEvent.left)
        #expect(ann.frames.last?.payload == ["user_id": "bob"])
    }

    @Test func aRemovedMemberLeavesTheVoiceRoomToo() throws {
        var cluster = cluster()
        let ann = socket("ann"), bob = socket("bob")
        cluster.run(try subscribe(&cluster.a, ann))
        cluster.run(try subscribe(&cluster.a, bob))
        voice(&cluster, bob, VoiceEvent.join)
        cluster.run(cluster.a.receive(GatewayCommand.revokeMembership(conversationId: conversationId, userId: "bob").message,
                                      now: t0))
        #expect(bob.kicks == [topic])
        #expect(ann.frames.last?.event == VoiceEvent.left)
    }
}
