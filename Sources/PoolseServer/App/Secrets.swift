import Foundation

/// Signing keys come from configuration, or are generated once and kept in
/// `<data dir>/jwt-keys` (mode 0600) so tokens stay valid across restarts.
enum Secrets {
    static func signingKeys(_ configuration: ServerConfiguration) throws -> SigningKeys {
        if let given = configuration.jwtSecrets, !given.isEmpty { return try SigningKeys.parse(given) }
        let path = (configuration.dataDirectory as NSString).appendingPathComponent("jwt-keys")
        if let stored = try? String(contentsOfFile: path, encoding: .utf8) {
            return try SigningKeys.parse(stored.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let (keys, serialized) = try SigningKeys.generate()
        _ = FileManager.default.createFile(atPath: path, contents: Data((serialized + "\n").utf8),
                                       attributes: [.posixPermissions: 0o600])
        return keys
    }
}
