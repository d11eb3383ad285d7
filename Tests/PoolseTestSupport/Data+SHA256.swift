import Crypto
import Foundation

extension Data {
    /// Lowercase hex SHA-256, the form `Attachment.sha256` uses.
    public var sha256Hex: String { SHA256.hash(data: self).map { String(format: "%02x", $0) }.joined() }
}
