import PoolseWire

/// Push devices of end users. A token is unique in a tenant: registering a token some other
/// user holds moves it to the caller (the phone changed hands, or its user logged in anew).
struct DeviceService: Sendable {
    let store: Store
    let committer: ChangeCommitter

    static let maxTokenLength = 4096

    func register(_ request: DeviceRegisterRequest, by caller: UserPrincipal) async throws -> Device {
        let token = request.token.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw DomainError.validation("token", "can't be blank") }
        guard token.utf8.count <= Self.maxTokenLength else {
            throw DomainError.validation("token", "is longer than \(Self.maxTokenLength) bytes")
        }
        guard DevicePlatform.known.contains(request.platform) else {
            throw DomainError.validation("platform", "must be one of ios, android")
        }
        let environment = request.environment ?? .production
        guard DeviceEnvironment.known.contains(environment) else {
            throw DomainError.validation("environment", "must be one of production, sandbox")
        }
        let kind = request.kind ?? (request.platform == .ios ? .voip : .alert)
        guard DeviceKind.known.contains(kind) else { throw DomainError.validation("kind", "must be one of voip, alert") }
        if request.platform == .android, kind == .voip {
            throw DomainError.validation("kind", "android devices are alert devices (FCM tokens)")
        }
        let now = WireTime.date(micros: WallClock.nowMicros())
        let record = DeviceRecord(
            device: Device(id: IDs.make(), tenantId: caller.tenantId, userId: caller.userId, platform: request.platform,
                           environment: environment, kind: kind, lastRegisteredAt: now, insertedAt: now, updatedAt: now),
            token: token)
        return try await committer.commit(lane: nil) { q in Change(try await q.upsertDevice(record).device) }
    }

    /// Forgets the caller's device with that token; a token the caller does not hold is not an
    /// error (an app unregisters at logout without knowing whether it registered).
    func unregister(token: String, by caller: UserPrincipal) async throws {
        try await committer.commit(lane: nil) { q in
            try await q.deleteDevice(token: token, userId: caller.userId)
            return Change(events: [])
        }
    }

    func list(for caller: UserPrincipal) async throws -> [Device] {
        try await store.read { try await $0.devices(userIds: [caller.userId]).map(\.device) }
    }
}
