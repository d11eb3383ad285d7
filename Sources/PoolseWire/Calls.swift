import Foundation

/// Event names of calls (`user:<id>`) and voice rooms (`voice:conversation:<id>`), as the
/// `@poolse/sdk` 2.12 speaks them (docs/calls.md).
public enum CallEvent {
    // Pushes a client sends on its `user:<id>` topic (each gets a reply).
    public static let invite = "call:invite"
    public static let accept = "call:accept"
    public static let decline = "call:decline"
    public static let busy = "call:busy"
    public static let cancel = "call:cancel"
    public static let hangup = "call:hangup"
    // Events the server sends on `user:<id>`.
    public static let incoming = "call:incoming"
    public static let accepted = "call:accepted"
    public static let declined = "call:declined"
    public static let busyEvent = "call:busy"
    public static let cancelled = "call:cancelled"
    public static let ended = "call:ended"
}

/// Event names of a voice room (`voice:conversation:<id>`).
public enum VoiceEvent {
    /// The topic prefix: `voice:conversation:<conversation id>`.
    public static let topicPrefix = "voice:conversation:"
    // Pushes.
    public static let join = "voice:join"
    public static let leave = "voice:leave"
    public static let mute = "voice:mute"
    public static let unmute = "voice:unmute"
    public static let activeSpeaker = "voice:active_speaker"
    public static let signal = "voice:signal"
    // Events (`voice:mute`, `voice:active_speaker` and `voice:signal` reuse the push names).
    public static let presenceState = "voice:presence_state"
    public static let joined = "voice:joined"
    public static let left = "voice:left"
    public static let error = "voice:error"

    /// The topic of a conversation's voice room.
    public static func topic(_ conversationId: String) -> String { topicPrefix + conversationId }
}

/// What a call carries: `audio` (the default) or `video`.
public struct CallMedia: RawRepresentable, Codable, Hashable, Sendable, ExpressibleByStringLiteral {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }

    public static let audio: CallMedia = "audio"
    public static let video: CallMedia = "video"
    /// The kinds a server accepts.
    public static let known: Set<CallMedia> = [.audio, .video]
}

/// A call's state on the server: `ringing` → `active` → `ended` (or `ringing` → `ended`).
public struct CallState: RawRepresentable, Codable, Hashable, Sendable, ExpressibleByStringLiteral {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }

    public static let ringing: CallState = "ringing"
    public static let active: CallState = "active"
    public static let ended: CallState = "ended"
}

/// The ok reply to `call:invite`.
public struct CallInvitation: Codable, Hashable, Sendable {
    /// The new call.
    public var callId: String
    /// Its conversation.
    public var conversationId: String
    /// Every member rung (all but the caller).
    public var calleeUserIds: [String]
    /// Audio or video.
    public var media: CallMedia

    /// Creates the reply.
    public init(callId: String, conversationId: String, calleeUserIds: [String], media: CallMedia) {
        self.callId = callId
        self.conversationId = conversationId
        self.calleeUserIds = calleeUserIds
        self.media = media
    }

    enum CodingKeys: String, CodingKey {
        case callId = "call_id", conversationId = "conversation_id", calleeUserIds = "callee_user_ids", media
    }
}

/// `call:incoming`: someone rings the recipient.
public struct CallIncomingEvent: Codable, Hashable, Sendable {
    public var callId: String
    public var conversationId: String
    public var callerUserId: String
    public var media: CallMedia

    /// Creates the event.
    public init(callId: String, conversationId: String, callerUserId: String, media: CallMedia) {
        self.callId = callId
        self.conversationId = conversationId
        self.callerUserId = callerUserId
        self.media = media
    }

    enum CodingKeys: String, CodingKey {
        case callId = "call_id", conversationId = "conversation_id", callerUserId = "caller_user_id", media
    }
}

/// `call:accepted`, `call:declined`, `call:busy` and `call:ended`: what `userId` did.
public struct CallUserEvent: Codable, Hashable, Sendable {
    public var callId: String
    public var conversationId: String
    /// Who accepted, declined, was busy or hung up.
    public var userId: String

    /// Creates the event.
    public init(callId: String, conversationId: String, userId: String) {
        self.callId = callId
        self.conversationId = conversationId
        self.userId = userId
    }

    enum CodingKeys: String, CodingKey { case callId = "call_id", conversationId = "conversation_id", userId = "user_id" }
}

/// `call:cancelled`: the caller gave up (`reason` `cancelled`) or nobody answered in time
/// (`no_answer`, sent by the server after the ring timeout).
public struct CallCancelledEvent: Codable, Hashable, Sendable {
    public var callId: String
    public var conversationId: String
    public var callerUserId: String
    /// `cancelled` or `no_answer`; absent from older servers.
    public var reason: String?

    /// Why a call was cancelled.
    public enum Reason {
        public static let cancelled = "cancelled"
        public static let noAnswer = "no_answer"
    }

    /// Creates the event.
    public init(callId: String, conversationId: String, callerUserId: String, reason: String?) {
        self.callId = callId
        self.conversationId = conversationId
        self.callerUserId = callerUserId
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case callId = "call_id", conversationId = "conversation_id", callerUserId = "caller_user_id", reason
    }
}

/// One socket's place in a voice room, as `voice:presence_state` lists it.
public struct VoiceMeta: Codable, Hashable, Sendable {
    public var userId: String
    /// Whether the microphone is muted.
    public var muteState: Bool
    /// Whether the user is speaking now.
    public var speakingState: Bool
    /// When the socket joined the room.
    public var joinedAt: Date

    /// Creates a meta.
    public init(userId: String, muteState: Bool, speakingState: Bool, joinedAt: Date) {
        self.userId = userId
        self.muteState = muteState
        self.speakingState = speakingState
        self.joinedAt = joinedAt
    }

    enum CodingKeys: String, CodingKey {
        case userId = "user_id", muteState = "mute_state", speakingState = "speaking_state", joinedAt = "joined_at"
    }
}

/// A user's entry in `voice:presence_state`: one meta per socket in the room.
public struct VoicePresenceEntry: Codable, Hashable, Sendable {
    public var metas: [VoiceMeta]
    /// Creates an entry.
    public init(metas: [VoiceMeta]) { self.metas = metas }
}

/// `voice:presence_state`: everyone in the room, by user id.
public typealias VoicePresenceState = [String: VoicePresenceEntry]

/// `voice:signal` as the target receives it: WebRTC signalling relayed from `fromUserId`.
public struct VoiceSignal: Codable, Hashable, Sendable {
    public var fromUserId: String
    public var targetUserId: String
    /// `offer`, `answer` or `ice-candidate`.
    public var type: String
    /// The SDP or ICE candidate, as the sender's WebRTC stack produced it.
    public var data: JSONValue

    /// The signal types a server relays.
    public static let types: Set<String> = ["offer", "answer", "ice-candidate"]

    /// Creates a signal.
    public init(fromUserId: String, targetUserId: String, type: String, data: JSONValue) {
        self.fromUserId = fromUserId
        self.targetUserId = targetUserId
        self.type = type
        self.data = data
    }

    enum CodingKeys: String, CodingKey {
        case fromUserId = "from_user_id", targetUserId = "target_user_id", type, data
    }
}

/// One ICE server for `RTCPeerConnection`: STUN, or TURN with time-limited credentials.
public struct IceServer: Codable, Hashable, Sendable {
    public var urls: [String]
    public var username: String?
    public var credential: String?

    /// Creates an entry.
    public init(urls: [String], username: String? = nil, credential: String? = nil) {
        self.urls = urls
        self.username = username
        self.credential = credential
    }
}

/// `GET /v1/ice-servers`.
public struct IceServersResponse: Codable, Hashable, Sendable {
    public var iceServers: [IceServer]
    /// How long the TURN credentials stay valid, in seconds.
    public var ttlSeconds: Int

    /// Creates the response.
    public init(iceServers: [IceServer], ttlSeconds: Int) {
        self.iceServers = iceServers
        self.ttlSeconds = ttlSeconds
    }

    enum CodingKeys: String, CodingKey { case iceServers = "ice_servers", ttlSeconds = "ttl_seconds" }
}

/// `POST /v1/conversations/:id/call-token`: how to reach the SFU for a conversation's call.
public struct CallToken: Codable, Hashable, Sendable {
    /// The SFU's WebSocket URL.
    public var url: String
    /// A LiveKit access token (HS256 JWT).
    public var token: String
    /// The room: the conversation id.
    public var room: String
    /// When the token expires.
    public var expiresAt: Date

    /// Creates the response.
    public init(url: String, token: String, room: String, expiresAt: Date) {
        self.url = url
        self.token = token
        self.room = room
        self.expiresAt = expiresAt
    }

    enum CodingKeys: String, CodingKey { case url, token, room, expiresAt = "expires_at" }
}
