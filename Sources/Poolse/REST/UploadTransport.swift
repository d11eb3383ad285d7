import Foundation

/// What an attachment upload sends: bytes in memory, or a file streamed from disk.
public enum UploadSource: Sendable, Hashable {
    /// Bytes already in memory.
    case data(Data)
    /// A local file, read as it is sent (never loaded whole).
    case file(URL)
}

/// How far an upload has got: `loaded` of `total` bytes sent.
public struct UploadProgress: Sendable, Hashable {
    /// Bytes sent so far.
    public var loaded: Int64
    /// Bytes to send in all.
    public var total: Int64

    /// Creates a progress value.
    public init(loaded: Int64, total: Int64) {
        self.loaded = loaded
        self.total = total
    }
}

/// A transport that can PUT an attachment's bytes to a signed URL, streaming files and
/// reporting progress. ``URLSessionTransport`` adopts it.
///
/// An ``HTTPTransport`` that does not adopt it still uploads: the SDK hands it the bytes
/// as the request body (a file memory-mapped) and reports no progress.
public protocol UploadTransport: Sendable {
    /// Sends `request` (its `body` is nil) with `source` as the body, calling `progress` as
    /// bytes go out when the platform tells; returns the response whatever its status.
    /// Cancelling the calling task stops the upload with `CancellationError`.
    func upload(_ request: TransportRequest, from source: UploadSource,
                progress: (@Sendable (UploadProgress) -> Void)?) async throws -> TransportResponse
}
