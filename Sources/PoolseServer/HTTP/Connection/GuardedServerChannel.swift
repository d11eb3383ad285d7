import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// A child channel with the connection rules around it: each accepted connection is first
/// admitted (`ConnectionAdmission`), then set up by the wrapped channel, and an
/// `HTTPConnectionGuard` is put right after its HTTP decoder.
struct GuardedServerChannel<Inner: ServerChildChannel>: ServerChildChannel {
    struct Value: ServerChildChannelValue {
        /// Nil when the connection was refused.
        let inner: Inner.Value?
        let channel: any Channel
    }

    let inner: Inner
    let admission: ConnectionAdmission
    let rules: HTTPConnectionGuard.Rules

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let decision = admission.admit()
        guard decision != .refuse else {
            channel.close(promise: nil)
            return channel.eventLoop.makeSucceededFuture(Value(inner: nil, channel: channel))
        }
        let admission = self.admission
        channel.closeFuture.whenComplete { _ in admission.release() }
        var rules = self.rules
        rules.overflow = decision == .overflow
        return inner.setup(channel: channel, logger: logger).flatMapThrowing { [rules] value in
            let pipeline = channel.pipeline.syncOperations
            let decoder = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try pipeline.addHandler(HTTPConnectionGuard(rules: rules, logger: logger), position: .after(decoder))
            return Value(inner: value, channel: channel)
        }
    }

    func handle(value: Value, logger: Logger) async {
        guard let innerValue = value.inner else { return }
        await inner.handle(value: innerValue, logger: logger)
    }
}
