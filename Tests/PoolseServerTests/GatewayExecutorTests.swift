import Logging
import PoolseWire
import Testing
import PoolseTestSupport
@testable import PoolseServer

/// The gateway's actor carrying out its state machine, with sockets in memory, the in-process
/// pub/sub and a clock the test moves: timeouts of seconds take no time.
@Suite("Realtime: gateway executor on a virtual clock")
struct GatewayExecutorTests {
    let room = "conversation:0b9f3a52-33f4-4e5a-9a3e-6f1b2c3d4e5f"
    let conversationId = "0b9f3a52-33f4-4e5a-9a3e-6f1b2c3d4e5f"

    /// A gateway serving on `clock` (heartbeat timeout 60 s, typing 5 s) for the time of `body`.
    func withGateway(_ clock: VirtualGatewayClock, metrics: ServerMetrics = ServerMetrics(),
                     _ body: (GatewayExecutor<MemorySocket>, InProcessPubSub) async throws -> Void) async throws {
        var configuration = RealtimeConfiguration()
        configuration.clock = clock
        var logger = Logger(label: "gateway-test")
        logger.logLevel = .critical
        let pubsub = InProcessPubSub()
        let gateway = GatewayExecutor<MemorySocket>(pubsub: pubsub, configuration: configuration, metrics: metrics,
                                                    logger: logger)
        let serving = Task { await gateway.serve() }
        defer { serving.cancel() }
        try await body(gateway, pubsub)
    }

    func join(_ gateway: GatewayExecutor<MemorySocket>, _ socket: MemorySocket, _ topic: String) async throws {
        let request = PhoenixFrame(joinRef: "1", ref: "1", topic: topic, event: "phx_join")
        let outcome = await gateway.join(socket, topic: try #require(Topic(topic)), request: request,
                                         authorizedAt: await gateway.revocations)
        #expect(outcome == .joined)
    }

    @Test func publishedEventsReachTheJoinedSockets() async throws {
        let clock = VirtualGatewayClock()
        try await withGateway(clock) { gateway, pubsub in
            let ann = MemorySocket(userId: "ann", heardAt: clock.now), bob = MemorySocket(userId: "bob", heardAt: clock.now)
            await gateway.register(ann)
            await gateway.register(bob)
            try await join(gateway, ann, room)
            await pubsub.publish([RealtimeMessage(topic: room, event: "message:new", payload: ["id": "m1"])])
            try await eventually { ann.events.contains("message:new") }
            #expect(!bob.events.contains("message:new"))
        }
    }

    @Test func theRealtimeMetricsFollowSocketsJoinsAndDeliveries() async throws {
        let clock = VirtualGatewayClock()
        let metrics = ServerMetrics()
        func scrape() -> String {
            var bytes: [UInt8] = []
            metrics.registry.emit(into: &bytes)
            return String(decoding: bytes, as: UTF8.self)
        }
        try await withGateway(clock, metrics: metrics) { gateway, pubsub in
            let ann = MemorySocket(userId: "ann", heardAt: clock.now), bob = MemorySocket(userId: "bob", heardAt: clock.now)
            await gateway.register(ann)
            await gateway.register(bob)
            try await join(gateway, ann, room)
            try await join(gateway, bob, room)
            try await join(gateway, bob, "user:2d9f3a52-33f4-4e5a-9a3e-6f1b2c3d4e5f")
            #expect(scrape().contains("poolse_realtime_open_sockets 2"))
            #expect(scrape().contains("poolse_realtime_joined_channels 3"))
            await pubsub.publish([RealtimeMessage(topic: room, event: "message:new", payload: ["id": "m1"])])
            try await eventually { bob.events.contains("message:new") }
            #expect(scrape().contains("poolse_realtime_events_published_total 1"))
            await gateway.disconnect(bob)
            #expect(scrape().contains("poolse_realtime_open_sockets 1"))
            #expect(scrape().contains("poolse_realtime_joined_channels 1"))
        }
    }

    @Test func typingStopsWhenTheClockReachesTheTimeout() async throws {
        let clock = VirtualGatewayClock()
        try await withGateway(clock) { gateway, _ in
            let ann = MemorySocket(userId: "ann", heardAt: clock.now), bob = MemorySocket(userId: "bob", heardAt: clock.now)
            await gateway.register(ann)
            await gateway.register(bob)
            try await join(gateway, ann, room)
            try await join(gateway, bob, room)
            await gateway.typing(ann, conversationId: conversationId)
            try await eventually { bob.events.contains("typing:start") }
            clock.advance(by: .seconds(4))
            // The gateway ticked at 4 s once its timer sleeps past it again; no stop was due yet.
            try await eventually { clock.pending.contains { $0 > clock.now } }
            #expect(!bob.events.contains("typing:stop"))
            clock.advance(by: .seconds(1))
            try await eventually { bob.events.contains("typing:stop") }
            #expect(!ann.events.contains { $0.hasPrefix("typing") })
        }
    }

    @Test func aSilentSocketIsClosedOnceTheClockPassesTheHeartbeatTimeout() async throws {
        let clock = VirtualGatewayClock()
        try await withGateway(clock) { gateway, _ in
            let silent = MemorySocket(userId: "ann", heardAt: clock.now), chatty = MemorySocket(userId: "bob", heardAt: clock.now)
            await gateway.register(silent)
            await gateway.register(chatty)
            for _ in 0..<61 {
                clock.advance(by: .seconds(1))
                chatty.heard(at: clock.now)
            }
            try await eventually { silent.isFinished }
            #expect(!chatty.isFinished)
        }
    }
}
