import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore
import PoolseWire

/// The local store's signed byte routes, `PUT` and `GET /blobs/:id?expires=…&signature=…`.
/// They are not JSON routes: the URL is the credential (no `Authorization`), the PUT body
/// streams to disk while it is hashed and counted, and the GET streams the file, with
/// single-range support. Errors still use the §2 envelope.
struct BlobRoutes: Sendable {
    let store: Store
    let local: LocalBlobStore
    let docBaseURL: String

    /// The two routes, as the OpenAPI document describes them.
    static let declared = [
        DeclaredRoute(method: .put, path: "/blobs/:id", errorStatuses: [400, 403, 404, 409, 413, 500]),
        DeclaredRoute(method: .get, path: "/blobs/:id", errorStatuses: [403, 404, 416, 500]),
    ]

    func register(on router: Router<some RequestContext>) {
        router.put("/blobs/:id") { request, context in await respond(context) { try await upload(request, context: context) } }
        router.get("/blobs/:id") { request, context in await respond(context) { try await download(request, context: context) } }
    }

    // MARK: - PUT

    private func upload(_ request: Request, context: some RequestContext) async throws -> Response {
        let id = try attachmentId(context)
        try local.signer.verify(.put, attachmentId: id, query: query(request))
        if request.headers[.authorization] != nil {
            throw ServiceError.badRequest("a signed URL is its own credential; send no Authorization header")
        }
        guard let record = try await store.read({ try await $0.attachmentRecord(id: id) }), record.isLive else {
            throw ServiceError.notFound("attachment")
        }
        guard !record.isUploaded, record.attachment.messageId == nil else {
            throw ServiceError.conflict("the bytes of this attachment were already uploaded")
        }
        let expected = record.attachment
        guard let contentType = request.headers[.contentType],
              contentType.trimmingCharacters(in: .whitespaces).caseInsensitiveCompare(expected.contentType) == .orderedSame
        else { throw ServiceError.badRequest("Content-Type must be \(expected.contentType), as requested") }
        if let length = request.headers[.contentLength], Int64(length) != expected.byteSize {
            throw ServiceError.sizeMismatch(expected: expected.byteSize)
        }

        let temporaryPath = local.temporaryPath()
        let outcome = DigestOutcome()
        do {
            let body = DigestingSequence(base: request.body, expected: expected.byteSize, outcome: outcome)
            do {
                try await FileIO().writeFile(contents: body, path: temporaryPath, context: context)
            } catch {
                throw outcome.failure ?? error
            }
            guard let sha256 = outcome.sha256 else { throw ServiceError.sizeMismatch(expected: expected.byteSize) }
            let stored: Attachment = try await store.transaction { q in
                guard try await q.markAttachmentUploaded(id: id, sha256: sha256, at: WallClock.nowMicros()) else {
                    throw try await q.attachmentRecord(id: id)?.isLive == true
                        ? ServiceError.conflict("the bytes of this attachment were already uploaded")
                        : ServiceError.notFound("attachment")
                }
                do {
                    try local.commit(temporaryPath: temporaryPath, key: record.storageKey)
                } catch is LocalBlobStore.AlreadyStored {
                    throw ServiceError.conflict("the bytes of this attachment were already uploaded")
                }
                guard let stored = try await q.attachmentRecord(id: id)?.attachment else { throw ServiceError.internalError }
                return stored
            }
            return RoutePipeline.render(try .json(stored))
        } catch {
            local.discard(temporaryPath: temporaryPath)
            throw error
        }
    }

    // MARK: - GET

    private func download(_ request: Request, context: some RequestContext) async throws -> Response {
        let id = try attachmentId(context)
        try local.signer.verify(.get, attachmentId: id, query: query(request))
        guard let record = try await store.read({ try await $0.attachmentRecord(id: id) }), record.isLive,
              record.isUploaded
        else { throw ServiceError.notFound("attachment") }
        let path = try local.path(forKey: record.storageKey)
        guard let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int else {
            throw ServiceError.notFound("attachment")
        }
        let attachment = record.attachment
        var headers = HTTPFields()
        headers[.contentType] = attachment.contentType
        headers[.contentDisposition] = ContentDisposition.attachment(filename: attachment.originalFilename)
        headers[.acceptRanges] = "bytes"
        headers[.cacheControl] = "private"
        headers[.xContentTypeOptions] = "nosniff"
        headers[.contentSecurityPolicy] = "sandbox; default-src 'none'"
        if let sha256 = attachment.sha256 { headers[.eTag] = "\"\(sha256)\"" }

        switch ByteRange.parse(request.headers[.range], size: size) {
        case .unsatisfiable:
            var response = RoutePipeline.render(.error(
                ServiceError(status: 416, code: "range_not_satisfiable", message: "the range is outside the \(size) bytes"),
                docBaseURL: docBaseURL))
            response.headers[.contentRange] = "bytes */\(size)"
            return response
        case .whole:
            headers[.contentLength] = String(size)
            guard size > 0 else { return Response(status: .ok, headers: headers, body: ResponseBody()) }
            let body = try await FileIO().loadFile(path: path, range: 0...(size - 1), context: context)
            return Response(status: .ok, headers: headers, body: body)
        case .part(let range):
            headers[.contentLength] = String(range.count)
            headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(size)"
            let body = try await FileIO().loadFile(path: path, range: range, context: context)
            return Response(status: .partialContent, headers: headers, body: body)
        }
    }

    // MARK: - Helpers

    private func respond(_ context: some RequestContext, _ body: () async throws -> Response) async -> Response {
        do {
            return try await body()
        } catch let error where ServiceError.reporting(error) != nil {
            return RoutePipeline.render(.error(ServiceError.reporting(error) ?? .internalError, docBaseURL: docBaseURL))
        } catch {
            context.logger.error("blob route failed", metadata: ["error": "\(String(reflecting: type(of: error)))"])
            return RoutePipeline.render(.error(.internalError, docBaseURL: docBaseURL))
        }
    }

    private func attachmentId(_ context: some RequestContext) throws -> String {
        guard let raw = context.parameters.get("id"), let id = IDs.canonical(raw) else {
            throw ServiceError.notFound("attachment")
        }
        return id
    }

    private func query(_ request: Request) -> [String: String] {
        var query: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }
        return query
    }
}

/// A single `Range: bytes=…` request against a body of `size` bytes (RFC 9110 §14).
/// Several ranges, or a header that does not parse, get the whole body (which the RFC allows).
enum ByteRange: Equatable {
    case whole
    case part(ClosedRange<Int>)
    case unsatisfiable

    static func parse(_ header: String?, size: Int) -> ByteRange {
        guard let header = header?.trimmingCharacters(in: .whitespaces), header.lowercased().hasPrefix("bytes=") else {
            return .whole
        }
        let spec = header.dropFirst("bytes=".count).trimmingCharacters(in: .whitespaces)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return .whole }
        let first = spec[..<dash].trimmingCharacters(in: .whitespaces)
        let last = spec[spec.index(after: dash)...].trimmingCharacters(in: .whitespaces)
        if first.isEmpty {
            guard let suffix = Int(last), suffix >= 0 else { return .whole }
            guard suffix > 0, size > 0 else { return .unsatisfiable }
            return .part(max(0, size - suffix)...(size - 1))
        }
        guard let start = Int(first), start >= 0 else { return .whole }
        var end = size - 1
        if !last.isEmpty {
            guard let given = Int(last), given >= start else { return .whole }
            end = min(given, size - 1)
        }
        guard start < size else { return .unsatisfiable }
        return .part(start...end)
    }
}

/// What `DigestingSequence` found, read after the body is written.
private final class DigestOutcome: Sendable {
    private let state = NIOLockedValueBox<(sha256: String?, failure: ServiceError?)>((nil, nil))
    var sha256: String? { state.withLockedValue { $0.sha256 } }
    var failure: ServiceError? { state.withLockedValue { $0.failure } }
    func finish(_ sha256: String) { state.withLockedValue { $0.sha256 = sha256 } }
    func fail(_ error: ServiceError) { state.withLockedValue { $0.failure = $0.failure ?? error } }
}

/// Passes the body through while counting and hashing it; fails with `size_mismatch` at the
/// first byte past the expected size, or at the end when bytes are missing. Nothing is
/// buffered beyond the chunk in hand.
private struct DigestingSequence<Base: AsyncSequence>: AsyncSequence where Base.Element == ByteBuffer {
    typealias Element = ByteBuffer
    let base: Base
    let expected: Int64
    let outcome: DigestOutcome

    func makeAsyncIterator() -> Iterator {
        Iterator(base: base.makeAsyncIterator(), expected: expected, outcome: outcome)
    }

    struct Iterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let expected: Int64
        let outcome: DigestOutcome
        var count: Int64 = 0
        var hash = SHA256()

        mutating func next() async throws -> ByteBuffer? {
            guard let chunk = try await base.next() else {
                guard count == expected else {
                    outcome.fail(.sizeMismatch(expected: expected))
                    throw ServiceError.sizeMismatch(expected: expected)
                }
                outcome.finish(hash.finalize().hexString)
                return nil
            }
            count += Int64(chunk.readableBytes)
            guard count <= expected else {
                outcome.fail(.sizeMismatch(expected: expected))
                throw ServiceError.sizeMismatch(expected: expected)
            }
            chunk.withUnsafeReadableBytes { hash.update(bufferPointer: $0) }
            return chunk
        }
    }
}
