import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension URLSessionTransport: UploadTransport {
    /// Uploads with `URLSession.upload(for:from:delegate:)` or `upload(for:fromFile:delegate:)`
    /// (a file streams from disk). Progress comes from the task delegate's
    /// `didSendBodyData`, on Apple platforms and on Linux alike.
    public func upload(_ request: TransportRequest, from source: UploadSource,
                       progress: (@Sendable (UploadProgress) -> Void)?) async throws -> TransportResponse {
        let urlRequest = Self.urlRequest(request)
        let delegate = progress.map(UploadProgressDelegate.init(report:))
        let data: Data
        let response: URLResponse
        do {
            switch source {
            case .data(let bytes):
                (data, response) = try await session.upload(for: urlRequest, from: bytes, delegate: delegate)
            case .file(let url):
                (data, response) = try await session.upload(for: urlRequest, fromFile: url, delegate: delegate)
            }
        } catch let error as URLError where error.code == .cancelled {
            throw CancellationError()
        }
        return try Self.transportResponse(data, response)
    }
}

/// Turns `didSendBodyData` callbacks into ``UploadProgress`` values.
private final class UploadProgressDelegate: NSObject, URLSessionTaskDelegate, Sendable {
    let report: @Sendable (UploadProgress) -> Void

    init(report: @escaping @Sendable (UploadProgress) -> Void) {
        self.report = report
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didSendBodyData bytesSent: Int64,
                    totalBytesSent: Int64, totalBytesExpectedToSend: Int64) {
        report(UploadProgress(loaded: totalBytesSent, total: max(totalBytesExpectedToSend, totalBytesSent)))
    }
}
