import Foundation

/// What ``AttachmentsResource/upload(_:onProgress:)`` sends: the bytes, their MIME type,
/// their exact size and the file name people see.
public struct AttachmentUploadInput: Sendable, Hashable {
    /// The bytes: in memory, or a file streamed from disk.
    public var source: UploadSource
    /// The MIME type the bytes are uploaded with, e.g. `image/png`.
    public var contentType: String
    /// The exact size in bytes; nil takes the size of the data or the file.
    public var byteSize: Int64?
    /// The file name shown in download UIs; nil for none.
    public var filename: String?

    /// Creates an input from any source.
    public init(source: UploadSource, contentType: String, byteSize: Int64? = nil, filename: String? = nil) {
        self.source = source
        self.contentType = contentType
        self.byteSize = byteSize
        self.filename = filename
    }

    /// Bytes in memory.
    public init(data: Data, contentType: String, filename: String? = nil) {
        self.init(source: .data(data), contentType: contentType, byteSize: Int64(data.count), filename: filename)
    }

    /// A local file, streamed as it is sent; `filename` defaults to the file's name.
    public init(file: URL, contentType: String, filename: String? = nil) {
        self.init(source: .file(file), contentType: contentType, filename: filename ?? file.lastPathComponent)
    }

    /// The size to announce: `byteSize`, checked against the data or file when both are known.
    /// - Throws: ``InvalidRequestError`` for a missing file or a size that does not match.
    func resolvedByteSize() throws -> Int64 {
        let actual: Int64
        switch source {
        case .data(let data):
            actual = Int64(data.count)
        case .file(let url):
            guard url.isFileURL,
                  let size = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? NSNumber
            else { throw InvalidRequestError(message: "\(url) is not a readable local file") }
            actual = size.int64Value
        }
        if let byteSize, byteSize != actual {
            throw InvalidRequestError(message: "byteSize is \(byteSize) but the upload has \(actual) bytes")
        }
        return actual
    }
}
