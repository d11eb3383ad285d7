import ArgumentParser
import Foundation
import PoolseServer

/// `poolse serve` options for attachments: the blob store and its limits.
struct AttachmentOptions: ParsableArguments {
    @Option(name: .customLong("blob-store"), help: "Where attachment bytes live: local or s3 (env POOLSE_BLOB_STORE; default local).")
    var blobStore: String?

    @Option(name: .customLong("blob-dir"),
            help: "Directory of the local blob store (env POOLSE_BLOB_DIR; default <data dir>/blobs).")
    var blobDirectory: String?

    @Option(name: .customLong("s3-endpoint"),
            help: "S3-compatible endpoint URL, e.g. https://s3.eu-west-1.amazonaws.com (env POOLSE_S3_ENDPOINT).")
    var s3Endpoint: String?

    @Option(name: .customLong("s3-bucket"), help: "Bucket for attachments; it must exist (env POOLSE_S3_BUCKET).")
    var s3Bucket: String?

    @Option(name: .customLong("s3-region"), help: "Signing region (env POOLSE_S3_REGION; default us-east-1).")
    var s3Region: String?

    @Option(name: .customLong("s3-access-key-id"), help: "Access key id (env POOLSE_S3_ACCESS_KEY_ID).")
    var s3AccessKeyId: String?

    @Option(name: .customLong("s3-secret-access-key"),
            help: "Secret access key; prefer the environment, flags show in process lists (env POOLSE_S3_SECRET_ACCESS_KEY).")
    var s3SecretAccessKey: String?

    @Option(name: .customLong("s3-path-style"),
            help: "true: endpoint/bucket/key URLs; false: bucket.endpoint/key (env POOLSE_S3_PATH_STYLE; default true).")
    var s3PathStyle: Bool?

    @Option(name: .customLong("max-attachment-bytes"),
            help: "Largest attachment in bytes (env POOLSE_MAX_ATTACHMENT_BYTES; default 26214400, 25 MiB).")
    var maxAttachmentBytes: Int64?

    @Option(name: .customLong("attachment-pending-ttl"),
            help: "Seconds after which an upload never sent with a message is deleted (env POOLSE_ATTACHMENT_PENDING_TTL; default 86400).")
    var attachmentPendingTTL: Int?

    /// Applies these options, then the environment, over `configuration`. The local store's URL
    /// signing secret comes from POOLSE_BLOB_SIGNING_SECRET only (default: generated into the data directory).
    func apply(to configuration: inout ServerConfiguration) throws {
        let env = ProcessInfo.processInfo.environment
        func value(_ flag: String?, _ name: String) -> String? {
            (flag ?? env[name]).flatMap { $0.isEmpty ? nil : $0 }
        }
        if let value = maxAttachmentBytes ?? env["POOLSE_MAX_ATTACHMENT_BYTES"].flatMap(Int64.init) {
            guard value > 0 else { throw ValidationError("--max-attachment-bytes must be positive") }
            configuration.limits.maxAttachmentBytes = value
        }
        if let value = attachmentPendingTTL ?? env["POOLSE_ATTACHMENT_PENDING_TTL"].flatMap(Int.init) {
            guard value > 0 else { throw ValidationError("--attachment-pending-ttl must be positive") }
            configuration.attachments.pendingLifetime = value
        }
        configuration.attachments.signingSecret = value(nil, "POOLSE_BLOB_SIGNING_SECRET")
        switch value(blobStore, "POOLSE_BLOB_STORE")?.lowercased() ?? "local" {
        case "local":
            configuration.attachments.store = .local(directory: value(blobDirectory, "POOLSE_BLOB_DIR"))
        case "s3":
            guard let endpoint = value(s3Endpoint, "POOLSE_S3_ENDPOINT"), let bucket = value(s3Bucket, "POOLSE_S3_BUCKET"),
                  let accessKeyId = value(s3AccessKeyId, "POOLSE_S3_ACCESS_KEY_ID"),
                  let secret = value(s3SecretAccessKey, "POOLSE_S3_SECRET_ACCESS_KEY")
            else {
                throw ValidationError("the s3 blob store needs an endpoint, a bucket, an access key id and a secret access key")
            }
            let pathStyle = try s3PathStyle ?? value(nil, "POOLSE_S3_PATH_STYLE").map { text -> Bool in
                guard let flag = Bool(text.lowercased()) else { throw ValidationError("POOLSE_S3_PATH_STYLE must be true or false") }
                return flag
            } ?? true
            configuration.attachments.store = .s3(S3Configuration(
                endpoint: endpoint, bucket: bucket, region: value(s3Region, "POOLSE_S3_REGION") ?? "us-east-1",
                accessKeyId: accessKeyId, secretAccessKey: secret, pathStyle: pathStyle))
        case let other:
            throw ValidationError("--blob-store must be local or s3, not \(other)")
        }
    }
}
