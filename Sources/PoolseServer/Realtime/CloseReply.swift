import Foundation
import NIOCore

/// The close code the server answers a client's close frame with (RFC 6455 §5.5.1, §7.4):
/// a valid code is echoed, anything else is a protocol error. Pure, so each rule is tested alone.
enum CloseReply {
    /// Protocol error: a close frame that breaks the rules.
    static let protocolError: UInt16 = 1002
    /// Data inconsistent with the message type: a reason that is not UTF-8.
    static let invalidPayload: UInt16 = 1007
    /// Normal closure: the answer to a close frame without a code.
    static let normal: UInt16 = 1000

    /// The code to answer a close frame whose (unmasked) payload is `payload` with.
    static func code(answering payload: ByteBuffer) -> UInt16 {
        var payload = payload
        switch payload.readableBytes {
        case 0:
            return normal
        case 1:
            // A code is two bytes; one byte is not a code.
            return protocolError
        default:
            guard let code = payload.readInteger(as: UInt16.self), mayBeSent(code) else { return protocolError }
            let reason = payload.readBytes(length: payload.readableBytes) ?? []
            guard String(bytes: reason, encoding: .utf8) != nil else { return invalidPayload }
            return code
        }
    }

    /// Whether an endpoint may put `code` in a close frame: the codes RFC 6455 and the IANA
    /// registry define for the wire (1000-1003, 1007-1014), and the ranges left to libraries
    /// (3000-3999) and applications (4000-4999). 1004 is reserved, and 1005, 1006 and 1015
    /// only ever describe a closure locally; they must not be sent.
    static func mayBeSent(_ code: UInt16) -> Bool {
        switch code {
        case 1000...1003, 1007...1014, 3000...4999: true
        default: false
        }
    }
}
