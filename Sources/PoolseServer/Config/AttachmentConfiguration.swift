/// Where attachment bytes live and how long their URLs and unsent uploads last.
public struct AttachmentConfiguration: Sendable {
    /// The blob store behind attachments.
    public enum Store: Sendable, Equatable {
        /// A directory on this machine, served by the server itself through signed URLs.
        /// nil means `blobs` inside the data directory.
        case local(directory: String?)
        /// An S3-compatible bucket; clients PUT and GET through SigV4 presigned URLs.
        case s3(S3Configuration)
    }

    /// Default: `.local(directory: nil)`.
    public var store: Store = .local(directory: nil)
    /// How long an upload URL stays valid, in seconds. Default 900 (15 minutes).
    public var uploadURLLifetime = 900
    /// How long a download URL stays valid, in seconds. Default 3,600 (about an hour, PROTOCOL.md §5).
    public var downloadURLLifetime = 3_600
    /// Attachments never sent with a message are deleted this many seconds after their upload
    /// was requested. Default 86,400 (24 h); never shorter than `uploadURLLifetime`, so a valid
    /// upload URL never points at a purged attachment.
    public var pendingLifetime = 86_400
    /// How often the cleanup looks for expired and deleted attachments, in seconds. Default 600.
    public var cleanupInterval = 600
    /// The secret that signs the local store's URLs (at least 32 characters). Generated once and
    /// kept in `<data dir>/blob-key` when nil; set it when several nodes share one blob directory.
    public var signingSecret: String?

    /// The defaults.
    public init() {}

    /// `pendingLifetime`, raised to the upload URL lifetime when set below it.
    var effectivePendingLifetime: Int { max(pendingLifetime, uploadURLLifetime) }
}

/// An S3-compatible bucket (AWS S3, MinIO, R2, …), signed with AWS Signature Version 4.
public struct S3Configuration: Sendable, Equatable, CustomStringConvertible {
    /// Base URL of the service, e.g. `https://s3.eu-west-1.amazonaws.com` or `http://127.0.0.1:9000`.
    public var endpoint: String
    /// The bucket; it must exist.
    public var bucket: String
    /// The signing region. Default `us-east-1`.
    public var region: String
    /// Access key id.
    public var accessKeyId: String
    /// Secret access key (never logged).
    public var secretAccessKey: String
    /// `endpoint/bucket/key` (default, works everywhere) or `bucket.endpoint/key` when false.
    public var pathStyle: Bool

    /// Creates the configuration.
    public init(endpoint: String, bucket: String, region: String = "us-east-1", accessKeyId: String,
                secretAccessKey: String, pathStyle: Bool = true) {
        self.endpoint = endpoint
        self.bucket = bucket
        self.region = region
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.pathStyle = pathStyle
    }

    /// Everything but the secret.
    public var description: String {
        "S3Configuration(endpoint: \(endpoint), bucket: \(bucket), region: \(region), accessKeyId: \(accessKeyId), pathStyle: \(pathStyle))"
    }
}
