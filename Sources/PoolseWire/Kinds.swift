/// String-backed kinds that decode any value, so a server that adds a new kind never
/// breaks an older client (forward compatibility, PROTOCOL.md §7).
public protocol WireKind: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible,
    ExpressibleByStringLiteral where RawValue == String {
    init(rawValue: String)
}

extension WireKind {
    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
    public init(stringLiteral value: String) { self.init(rawValue: value) }
    public var description: String { rawValue }
}

/// `direct` (exactly two members, de-duplicated per pair) or `group`.
public struct ConversationType: WireKind {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let direct: ConversationType = "direct"
    public static let group: ConversationType = "group"
    /// The kinds this protocol version defines.
    public static let known: [ConversationType] = [.direct, .group]
}

/// A member's role: `owner` (the creator), `admin` or `member`.
public struct MemberRole: WireKind {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let owner: MemberRole = "owner"
    public static let admin: MemberRole = "admin"
    public static let member: MemberRole = "member"
    /// The roles this protocol version defines.
    public static let known: [MemberRole] = [.owner, .admin, .member]
    /// Owners and admins manage a conversation.
    public var canManage: Bool { self == .owner || self == .admin }
}

/// `text`, `system` or `custom`.
public struct MessageType: WireKind {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let text: MessageType = "text"
    public static let system: MessageType = "system"
    public static let custom: MessageType = "custom"
    /// The types this protocol version defines.
    public static let known: [MessageType] = [.text, .system, .custom]
}

/// `pending` until the bytes arrive and a message links it, then `ready`.
public struct AttachmentStatus: WireKind {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let pending: AttachmentStatus = "pending"
    public static let ready: AttachmentStatus = "ready"
}
