import Foundation
import NIOPosix
import PoolseWire
import Testing

@testable import PoolseBench

/// The raw NIO client against the real gateway, served in this process.
@Suite("Bench sockets against an in-process server")
struct BenchSocketTests {
    @Test func membersReceiveEveryStampedMessageAndTheirJoinsAreCounted() async throws {
        let target = try await BenchTarget.inProcess(databaseURL: nil, connections: 4)
        do {
            let sender = try await target.users(["bench-test-sender"])[0]
            let members = try await target.users((0..<3).map { "bench-test-member-\($0)" })
            let room = try await target.http.send(.POST, "/v1/conversations", token: sender.token,
                                                  body: ConversationCreateRequest(type: .group, memberLimit: nil),
                                                  as: Conversation.self)
            _ = try await target.http.send(.POST, "/v1/conversations/\(room.id)/members", token: sender.token,
                                           body: AddMembersRequest(externalIds: members.map(\.user.externalId)),
                                           as: DataList<Membership>.self)
            let recorder = DeliveryRecorder()
            let sockets = try await BenchSocketGroup.connect(
                tokens: members.map(\.token), baseURL: target.baseURL, threads: 2, topic: { _ in "conversation:\(room.id)" },
                recorder: recorder, progress: Progress("joined", total: members.count))
            let joined = await recorder.waitForJoins(3, timeout: .seconds(10))
            #expect(joined)
            for socket in sockets.sockets { socket.heartbeat(ref: "h1") }
            for n in 1...2 {
                _ = try await target.http.send(.POST, "/v1/conversations/\(room.id)/messages", token: sender.token,
                                               body: MessageCreateRequest(body: BenchStamp.body(sequence: n)), as: Message.self)
            }
            let delivered = await recorder.waitForDeliveries(6, timeout: .seconds(10), progress: nil)
            await sockets.close()
            #expect(delivered)
            #expect(recorder.delivered == 6)
            // The heartbeat's ok reply is on `phoenix`: it must not count as a join.
            #expect(recorder.joined == 3)
            let latencies = recorder.latencies
            #expect(latencies.count == 6)
        } catch {
            await target.stop()
            throw error
        }
        await target.stop()
    }

    @Test func refusedUpgradeIsThrownFromConnect() async throws {
        let target = try await BenchTarget.inProcess(databaseURL: nil, connections: 1)
        let recorder = DeliveryRecorder()
        var failure: (any Error)?
        do {
            let socket = try await BenchSocket.connect(to: BenchSocket.Endpoint(baseURL: target.baseURL), token: "not-a-token",
                                                       on: MultiThreadedEventLoopGroup.singleton.next(),
                                                       recorder: recorder.makeShard())
            socket.close()
        } catch {
            failure = error
        }
        await target.stop()
        let description = failure.map { "\($0)" } ?? "connected"
        #expect(description.contains("403"), "\(description)")
    }
}
