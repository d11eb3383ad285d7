import Foundation
import PoolseWire
import Testing
import PoolseTestSupport
@testable import PoolseServer

/// Issue 12, defect 1: a frame whose `join_ref` or `ref` is a number no Int64 holds trapped the
/// frame decoder and stopped the process for every tenant. Now the frame is refused and the
/// server keeps serving this socket's neighbours.
@Suite struct HostileFrameTests {
    @Test func hugeNumericRefsDoNotStopTheServer() async throws {
        try await ServerFixture.runNode { server in
            let ann = try await server.user("ann")
            let bystander = try await server.socket(ann)
            let attacker = try await server.socket(ann)
            for ref in ["1e300", "9223372036854775807", "-1e300", "18446744073709551616", "1.5"] {
                attacker.send(raw: "[\(ref),\(ref),\"phoenix\",\"heartbeat\",{}]")
            }
            // Still alive: another socket gets its heartbeat answered, and a new one connects.
            try await bystander.heartbeat(ref: "7")
            let later = try await server.socket(ann)
            try await later.heartbeat(ref: "1")
            // A numeric ref an Int64 holds is accepted and echoed as text.
            later.send(raw: #"[null,42,"phoenix","heartbeat",{}]"#)
            let reply = try await later.reply(to: "42")
            #expect(reply.event == "phx_reply")
        }
    }
}
