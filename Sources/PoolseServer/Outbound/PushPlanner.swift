import PoolseWire

/// Decides who gets a push about a new message, and turns the answer into one `push` job per
/// device. It runs when the fan-out job runs, not when the message commits, so a member who
/// opened the conversation in between is not woken.
///
/// Recipients: members other than the sender who have not muted the conversation and do not
/// block the sender, and who have no socket joined to `conversation:<id>` on any node; a member
/// the message mentions gets the push even with the conversation open elsewhere (a mute still
/// wins: a muted conversation never pushes). Each recipient's `alert` devices get an `.alert`;
/// `voip` devices only ever get calls.
///
/// Collapsing: at most one push per device and conversation per `collapseWindow`. The first
/// message of a burst is pushed at once; the others wait until the window since the last push
/// has passed, each replacing the one still waiting (they share the `collapseId`), so a burst of
/// any size over a time T gives at most 1 + T / window notifications per device.
struct PushPlanner: Sendable {
    let store: Store
    let presence: any ConversationPresence
    let collapseWindow: Duration

    /// Push jobs' destinations start with this (then the tenant and the platform).
    static let destinationPrefix = "push:"

    /// The text shown instead of the message when the tenant turned previews off.
    static let genericBody = "New message"

    func fanOut(_ push: MessagePush) async throws {
        let present = await presence.presentUsers(conversationId: push.conversationId)
        // Everything is read first, on a reader: the writer is held only for the push rows.
        let alerts: [(DeviceRecord, PushAlert)] = try await store.read { q in
            let now = WallClock.nowMicros()
            let recipients = try await q.pushCandidates(conversationId: push.conversationId, senderId: push.senderId, now: now)
                .filter { !present.contains($0) || push.mentions.contains($0) }
            let devices = try await q.devices(userIds: recipients, kind: .alert)
            guard !devices.isEmpty,
                  let conversation = try await q.conversation(id: push.conversationId, tenantId: push.tenantId)?.conversation
            else { return [] }
            let sender = try await q.user(id: push.senderId, tenantId: push.tenantId)
            let title = conversation.name ?? sender?.displayName ?? sender?.externalId ?? Self.genericBody
            let body = try await q.pushPreview(tenantId: push.tenantId) ? push.preview : Self.genericBody
            var badges: [String: Int] = [:]
            var alerts: [(DeviceRecord, PushAlert)] = []
            for device in devices {
                let userId = device.device.userId
                if badges[userId] == nil { badges[userId] = try await q.totalUnread(userId: userId) }
                alerts.append((device, PushAlert(title: title, body: body, conversationId: push.conversationId,
                                                 messageId: push.messageId, sequence: push.sequence, senderId: push.senderId,
                                                 badge: badges[userId] ?? 0, collapseId: push.conversationId)))
            }
            return alerts
        }
        guard !alerts.isEmpty else { return }
        try await store.transaction { q in
            let now = WallClock.nowMicros()
            for (device, alert) in alerts {
                try await enqueue(.alert(alert), to: device, collapseKey: "\(device.device.id):\(push.conversationId)", now: now, q)
            }
        }
    }

    func fanOut(_ push: UserPush) async throws {
        try await store.transaction { q in
            let now = WallClock.nowMicros()
            for device in try await q.devices(userIds: [push.userId], kind: DeviceKind(rawValue: push.deviceKind.rawValue))
            where device.device.tenantId == push.tenantId
                && (push.platform.map { $0.rawValue == device.device.platform.rawValue } ?? true) {
                try await enqueue(push.content, to: device, collapseKey: nil, now: now, q)
            }
        }
    }

    /// Writes one push job, or folds it into the waiting job of its burst.
    private func enqueue(_ content: PushContent, to device: DeviceRecord, collapseKey: String?, now: Int64, _ q: Queries) async throws {
        var row = try OutboundEnqueuer.row(.push, tenantId: device.device.tenantId,
                                           destination: "\(Self.destinationPrefix)\(device.device.tenantId):\(device.device.platform.rawValue)",
                                           payload: PushJob(deviceId: device.device.id, content: content), at: now)
        guard let collapseKey else { return try await q.insertJob(row) }
        if let waiting = try await q.waitingJob(collapseKey: collapseKey, now: now) {
            return try await q.replaceJobPayload(id: waiting.id, payload: row.payload, at: now)
        }
        row.collapseKey = collapseKey
        if let last = try await q.lastPushAt(collapseKey: collapseKey, now: now) {
            row.runAfter = max(now, last + collapseWindow.micros)
        }
        try await q.insertJob(row)
    }
}
