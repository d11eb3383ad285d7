import Crypto
import Foundation
import PoolseWire

/// A tenant's before-send hook: validated when set (an http(s) URL that passes
/// `PrivateAddressPolicy`, a timeout of 100…10000 ms, a secret of 16…256 characters or a
/// generated one), stored with the secret sealed when the server has `--secrets-key` (as
/// `PushSettings` does), and cached per tenant — including "no hook", so a tenant without one pays
/// no database read per message. This node's changes invalidate the cache at once; other nodes
/// see them within `cacheSeconds`.
actor BeforeSendHookSettings {
    /// A hook ready to call.
    struct Active: Sendable, Equatable {
        let url: String
        let timeoutMs: Int
        let failOpen: Bool
        let secret: String
    }

    static let defaultTimeoutMs = 1000
    static let timeoutRange = 100...10_000
    static let secretLength = 16...256

    private let store: Store
    private let sealer: SecretSealer?
    private let allowPrivate: Bool
    private let cacheSeconds: Double
    private var cache: [String: (hook: Active?, loadedAt: Date)] = [:]

    init(store: Store, sealer: SecretSealer?, allowPrivate: Bool, cacheSeconds: Double) {
        self.store = store
        self.sealer = sealer
        self.allowPrivate = allowPrivate
        self.cacheSeconds = cacheSeconds
    }

    /// Checks and stores the hook; the answer shows the secret (the only time it is shown).
    func configure(tenantId: String, _ request: BeforeSendHookRequest) async throws -> BeforeSendHookView {
        guard request.url.count <= 2048 else { throw DomainError.validation("url", "is longer than 2048 characters") }
        try await PrivateAddressPolicy.check(request.url, field: "url", allowPrivate: allowPrivate)
        let timeoutMs = request.timeoutMs ?? Self.defaultTimeoutMs
        guard Self.timeoutRange.contains(timeoutMs) else {
            throw DomainError.validation("timeout_ms", "must be between \(Self.timeoutRange.lowerBound) and \(Self.timeoutRange.upperBound)")
        }
        if let secret = request.secret, !Self.secretLength.contains(secret.count) {
            throw DomainError.validation("secret", "must be \(Self.secretLength.lowerBound) to \(Self.secretLength.upperBound) characters")
        }
        let secret = request.secret ?? Self.generateSecret()
        let stored = try StoredSecret.sealing(secret, with: sealer)
        let now = WallClock.nowMicros()
        let record = BeforeSendHookRecord(url: request.url, timeoutMs: timeoutMs, failOpen: request.failOpen ?? true, secret: stored,
                                          updatedAt: now)
        try await store.transaction { try await $0.upsertBeforeSendHook(tenantId: tenantId, record) }
        cache[tenantId] = nil
        return BeforeSendHookView(url: record.url, timeoutMs: timeoutMs, failOpen: record.failOpen, secret: secret,
                                  updatedAt: WireTime.date(micros: now))
    }

    /// The hook without its secret; nil when none is set.
    func view(tenantId: String) async throws -> BeforeSendHookView? {
        try await store.read { try await $0.beforeSendHook(tenantId: tenantId) }.map {
            BeforeSendHookView(url: $0.url, timeoutMs: $0.timeoutMs, failOpen: $0.failOpen, secret: nil,
                               updatedAt: WireTime.date(micros: $0.updatedAt))
        }
    }

    func remove(tenantId: String) async throws {
        try await store.transaction { try await $0.deleteBeforeSendHook(tenantId: tenantId) }
        cache[tenantId] = nil
    }

    /// The tenant's hook, from the cache when fresh.
    func active(tenantId: String) async throws -> Active? {
        if let entry = cache[tenantId], Date().timeIntervalSince(entry.loadedAt) < cacheSeconds { return entry.hook }
        let hook = try await store.read { try await $0.beforeSendHook(tenantId: tenantId) }.map {
            Active(url: $0.url, timeoutMs: $0.timeoutMs, failOpen: $0.failOpen,
                   secret: try $0.secret.plain(with: sealer, what: "the before-send hook's secret"))
        }
        cache[tenantId] = (hook, Date())
        return hook
    }

    var allowsPrivateAddresses: Bool { allowPrivate }

    /// 32 random bytes, hex.
    static func generateSecret() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { $0.map { String(format: "%02x", $0) }.joined() }
    }
}
