import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import PoolseWire

/// Attachments in an S3-compatible bucket. Clients PUT and GET the bucket directly through
/// SigV4 presigned URLs; the server only signs, inspects and deletes.
///
/// The bytes never pass through the server on upload, so the checks the local store makes
/// while streaming happen in two places instead:
/// - S3 itself enforces the presigned PUT: `Content-Type` and `Content-Length` are signed
///   headers (a different value fails the signature), and `If-None-Match: *` is signed too,
///   so a second PUT to a key that already holds bytes is refused (412) instead of
///   replacing them.
/// - When a message links the attachment, `inspect` asks the bucket with a HEAD whether the
///   object is there with the requested size and content type, then streams it once
///   through SHA-256 (never held whole in memory) to record the hash.
struct S3BlobStore: BlobStore {
    let configuration: S3Configuration
    private let signer: SigV4
    private let scheme: String
    /// `host[:port]` of the endpoint (the port only when it is not the scheme's default).
    private let endpointHost: String
    private let basePath: String
    private let client: HTTPClient
    /// Deadline for HEAD and DELETE.
    var shortTimeout: TimeAmount = .seconds(30)
    /// Deadline for streaming an object through SHA-256.
    var readTimeout: TimeAmount = .seconds(300)

    init(_ configuration: S3Configuration, client: HTTPClient = .shared) throws {
        guard let url = URLComponents(string: configuration.endpoint), let scheme = url.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty
        else { throw ConfigError("the S3 endpoint must be an http(s) URL, e.g. https://s3.us-east-1.amazonaws.com") }
        guard !configuration.bucket.isEmpty, !configuration.accessKeyId.isEmpty, !configuration.secretAccessKey.isEmpty
        else { throw ConfigError("S3 needs a bucket, an access key id and a secret access key") }
        self.configuration = configuration
        self.scheme = scheme
        let defaultPort = scheme == "https" ? 443 : 80
        let bracketed = host.contains(":") ? "[\(host)]" : host
        endpointHost = url.port.map { $0 == defaultPort ? bracketed : "\(bracketed):\($0)" } ?? bracketed
        basePath = url.path.hasSuffix("/") ? String(url.path.dropLast()) : url.path
        signer = SigV4(accessKeyId: configuration.accessKeyId, secretAccessKey: configuration.secretAccessKey,
                       region: configuration.region)
        self.client = client
    }

    func uploadInstructions(for blob: BlobDescriptor, expiresAt: Date, baseURL: String) throws -> UploadInstructions {
        let headers = ["Content-Type": blob.contentType, "Content-Length": String(blob.byteSize), "If-None-Match": "*"]
        let (host, path) = location(blob.key)
        let url = signer.presignedURL(method: "PUT", scheme: scheme, host: host, path: path, headers: headers,
                                      expiresIn: Self.seconds(until: expiresAt))
        return UploadInstructions(url: url, method: "put", headers: headers)
    }

    func downloadURL(for blob: BlobDescriptor, expiresAt: Date, baseURL: String) throws -> String {
        let (host, path) = location(blob.key)
        return signer.presignedURL(
            method: "GET", scheme: scheme, host: host, path: path,
            query: [("response-content-disposition", ContentDisposition.attachment(filename: blob.filename)),
                    ("response-content-type", blob.contentType)],
            expiresIn: Self.seconds(until: expiresAt))
    }

    func inspect(_ blob: BlobDescriptor) async throws -> BlobInspection {
        let head = try await send(.HEAD, key: blob.key, timeout: shortTimeout)
        if head.status == .notFound { return .missing }
        guard head.status == .ok else { throw try await failure("HEAD", head) }
        let length = head.headers.first(name: "content-length").flatMap { Int64($0) }
        guard length == blob.byteSize else {
            return .mismatch("stored \(length.map(String.init) ?? "unknown") bytes, expected \(blob.byteSize)")
        }
        let contentType = head.headers.first(name: "content-type") ?? ""
        guard contentType.caseInsensitiveCompare(blob.contentType) == .orderedSame else {
            return .mismatch("stored as \(contentType), expected \(blob.contentType)")
        }
        let object = try await send(.GET, key: blob.key, timeout: readTimeout)
        if object.status == .notFound { return .missing }
        guard object.status == .ok else { throw try await failure("GET", object) }
        var hash = SHA256()
        var count: Int64 = 0
        for try await chunk in object.body {
            count += Int64(chunk.readableBytes)
            guard count <= blob.byteSize else { return .mismatch("the object is longer than \(blob.byteSize) bytes") }
            chunk.withUnsafeReadableBytes { hash.update(bufferPointer: $0) }
        }
        guard count == blob.byteSize else { return .mismatch("read \(count) bytes, expected \(blob.byteSize)") }
        return .verified(sha256: hash.finalize().hexString)
    }

    func delete(key: String) async throws {
        let response = try await send(.DELETE, key: key, timeout: shortTimeout)
        guard response.status == .noContent || response.status == .ok || response.status == .notFound else {
            throw try await failure("DELETE", response)
        }
    }

    /// Creates the bucket (tests and first-time setup); an existing bucket of ours is fine.
    func createBucket() async throws {
        let path = configuration.pathStyle ? "\(basePath)/\(configuration.bucket)" : (basePath.isEmpty ? "/" : basePath)
        let host = configuration.pathStyle ? endpointHost : "\(configuration.bucket).\(endpointHost)"
        let response = try await send(.PUT, host: host, path: path, timeout: shortTimeout)
        guard response.status == .ok || response.status == .conflict else { throw try await failure("PUT bucket", response) }
    }

    // MARK: - Requests

    /// Host and unencoded path of an object, path-style or virtual-hosted.
    private func location(_ key: String) -> (host: String, path: String) {
        configuration.pathStyle
            ? (endpointHost, "\(basePath)/\(configuration.bucket)/\(key)")
            : ("\(configuration.bucket).\(endpointHost)", "\(basePath)/\(key)")
    }

    private func send(_ method: HTTPMethod, key: String, timeout: TimeAmount) async throws -> HTTPClientResponse {
        let (host, path) = location(key)
        return try await send(method, host: host, path: path, timeout: timeout)
    }

    private func send(_ method: HTTPMethod, host: String, path: String, timeout: TimeAmount) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: "\(scheme)://\(host)\(SigV4.encodePath(path))")
        request.method = method
        request.headers.add(name: "Host", value: host)
        for (name, value) in signer.authorizationHeaders(method: method.rawValue, path: path, headers: ["host": host]) {
            request.headers.add(name: name, value: value)
        }
        do {
            return try await client.execute(request, timeout: timeout)
        } catch {
            throw BlobStoreError("S3 \(method.rawValue) failed: \(error)")
        }
    }

    /// An error naming the S3 error code (never the signature or credentials).
    private func failure(_ what: String, _ response: HTTPClientResponse) async throws -> BlobStoreError {
        let body = (try? await response.body.collect(upTo: 64 * 1024)).map { String(buffer: $0) } ?? ""
        let code = body.range(of: "<Code>").flatMap { start in
            body.range(of: "</Code>").map { String(body[start.upperBound..<$0.lowerBound]) }
        } ?? "no error code"
        return BlobStoreError("S3 \(what) answered \(response.status.code) (\(code))")
    }

    /// Presigned URLs live between 1 second and S3's maximum of 7 days.
    private static func seconds(until date: Date) -> Int {
        min(max(1, Int(date.timeIntervalSinceNow.rounded(.up))), 7 * 24 * 3600)
    }
}
