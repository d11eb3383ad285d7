/// Sealing a tenant's stored secrets (push keys, hook secrets) with the server's `--secrets-key`,
/// the rule `SharedSecrets` follows: sealed when a key is configured, stored as given otherwise.
extension StoredSecret {
    /// `plain`, sealed by `sealer` when there is one.
    static func sealing(_ plain: String, with sealer: SecretSealer?) throws -> StoredSecret {
        guard let sealer else { return StoredSecret(value: plain, sealed: false) }
        return StoredSecret(value: try sealer.seal(plain), sealed: true)
    }

    /// The plain text; a sealed value needs the sealer it was sealed with (`what` names it in the error).
    func plain(with sealer: SecretSealer?, what: String) throws -> String {
        guard sealed else { return value }
        guard let sealer else {
            throw ConfigError("\(what) is sealed: start the server with the --secrets-key it was sealed with")
        }
        return try sealer.open(value)
    }
}
