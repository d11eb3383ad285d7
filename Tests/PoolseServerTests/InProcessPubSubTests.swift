import PoolseWire
import Testing

@testable import PoolseServer

@Suite("In-process pub/sub")
struct InProcessPubSubTests {
    /// The gateway may fall far behind under load; nothing published may be lost or reordered
    /// meanwhile (a bounded buffer once dropped the oldest events past 65,536 without a trace).
    @Test func aSubscriberFarBehindStillGetsEveryEventInOrder() async {
        let pubsub = InProcessPubSub()
        let stream = await pubsub.subscribe()
        let total = 70_000
        for start in stride(from: 0, to: total, by: 1_000) {
            await pubsub.publish((start..<start + 1_000).map {
                RealtimeMessage(topic: "conversation:c", event: "message:new", payloadJSON: "{\"sequence\":\($0)}")
            })
        }
        // A last event marks the end, so a buffer that dropped events ends the loop too.
        await pubsub.publish([RealtimeMessage(topic: "conversation:c", event: "end", payloadJSON: "{}")])
        var received = 0
        var inOrder = true
        for await message in stream {
            if message.event == "end" { break }
            if message.payloadJSON != "{\"sequence\":\(received)}" { inOrder = false }
            received += 1
        }
        #expect(received == total)
        #expect(inOrder)
    }
}
