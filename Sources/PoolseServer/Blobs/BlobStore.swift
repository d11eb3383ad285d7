import Foundation
import PoolseWire

/// Where attachment bytes live (DESIGN.md, Blobs). Clients never send bytes through the
/// JSON API: a store hands out signed URLs to PUT and GET them, and can be asked later
/// what it holds. `LocalBlobStore` (a directory the server serves itself) is the default;
/// `S3BlobStore` talks to an S3-compatible service.
protocol BlobStore: Sendable {
    /// The URL, method and exact headers for the client's upload, valid until `expiresAt`.
    func uploadInstructions(for blob: BlobDescriptor, expiresAt: Date, baseURL: String) throws -> UploadInstructions

    /// A URL that serves the bytes with the blob's content type and file name until `expiresAt`.
    func downloadURL(for blob: BlobDescriptor, expiresAt: Date, baseURL: String) throws -> String

    /// What the store holds under the blob's key: nothing, bytes that do not match the
    /// requested size or content type, or matching bytes and their SHA-256 (read by streaming,
    /// never whole in memory).
    func inspect(_ blob: BlobDescriptor) async throws -> BlobInspection

    /// Removes the bytes; a missing blob is not an error.
    func delete(key: String) async throws

    /// Housekeeping the store needs besides deleting blobs (e.g. abandoned temporary files).
    func purgeScratch() async
}

extension BlobStore {
    func purgeScratch() async {}
}

/// What a store needs to know about one attachment's bytes.
struct BlobDescriptor: Sendable, Equatable {
    /// Storage key, `<tenant_id>/<attachment_id>`.
    let key: String
    let attachmentId: String
    let contentType: String
    let byteSize: Int64
    let filename: String?

    static func key(tenantId: String, attachmentId: String) -> String { "\(tenantId)/\(attachmentId)" }
}

/// The answer of `BlobStore.inspect`.
enum BlobInspection: Sendable, Equatable {
    case missing
    /// Bytes are stored, but not the ones that were requested (the reason says how).
    case mismatch(String)
    case verified(sha256: String)
}

/// A problem talking to a blob store (reported to callers as 500/503 without internals).
struct BlobStoreError: Error, CustomStringConvertible, Sendable {
    let description: String
    init(_ description: String) { self.description = description }
}

/// `Content-Disposition` for a download: always `attachment` (bytes uploaded by users must
/// never render inline on the API's origin), with an ASCII fallback name and the exact
/// UTF-8 name in `filename*` (RFC 6266).
enum ContentDisposition {
    static func attachment(filename: String?) -> String {
        guard let filename, !filename.isEmpty else { return "attachment" }
        let fallback = String(String.UnicodeScalarView(filename.unicodeScalars.map { scalar in
            (scalar.isASCII && scalar.value >= 0x20 && scalar.value != 0x7F && scalar != "\"" && scalar != "\\")
                ? scalar : "_"
        }))
        let attrChars = Set("!#$&+-.^_`|~".utf8)
        let encoded = filename.utf8.map { byte -> String in
            let isAlphanumeric = (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
            return isAlphanumeric || attrChars.contains(byte)
                ? String(UnicodeScalar(byte)) : String(format: "%%%02X", byte)
        }.joined()
        return "attachment; filename=\"\(fallback)\"; filename*=UTF-8''\(encoded)"
    }
}

extension ServerConfiguration {
    /// The blob store this configuration names; the local directory is created when missing.
    /// The local store signs its URLs with the configured secret or the one kept in the database.
    func openBlobStore(_ secrets: SharedSecrets) async throws -> any BlobStore {
        switch attachments.store {
        case .local(let directory):
            let path = directory ?? (dataDirectory as NSString).appendingPathComponent("blobs")
            let secret = try await secrets.blobSigningSecret(configured: attachments.signingSecret)
            return try LocalBlobStore(directory: path, signer: BlobURLSigner(secret: secret))
        case .s3(let s3):
            return try S3BlobStore(s3)
        }
    }
}
