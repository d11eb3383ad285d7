import Crypto
import Foundation
import NIOPosix
import PoolseWire

/// The default store: files under one directory (`<data dir>/blobs`), uploaded and
/// downloaded through the server's own signed `/blobs/:id` routes (`BlobRoutes`).
///
/// An upload streams into `.incoming/` and is hashed on the way; only a complete upload
/// of exactly the requested size is hard-linked to its final name, and the link fails
/// when that name exists, so a second or failed PUT can never replace stored bytes.
struct LocalBlobStore: BlobStore {
    let directory: String
    let signer: BlobURLSigner
    /// Abandoned temporary files older than this are removed by `purgeScratch`.
    var scratchLifetime: TimeInterval = 6 * 3600

    init(directory: String, signer: BlobURLSigner) throws {
        self.directory = directory
        self.signer = signer
        try FileManager.default.createDirectory(atPath: incomingDirectory, withIntermediateDirectories: true)
    }

    func uploadInstructions(for blob: BlobDescriptor, expiresAt: Date, baseURL: String) throws -> UploadInstructions {
        UploadInstructions(
            url: "\(baseURL)/blobs/\(blob.attachmentId)?\(signer.query(.put, attachmentId: blob.attachmentId, expiresAt: expiresAt))",
            method: "put",
            headers: ["Content-Type": blob.contentType, "Content-Length": String(blob.byteSize)])
    }

    func downloadURL(for blob: BlobDescriptor, expiresAt: Date, baseURL: String) throws -> String {
        "\(baseURL)/blobs/\(blob.attachmentId)?\(signer.query(.get, attachmentId: blob.attachmentId, expiresAt: expiresAt))"
    }

    func inspect(_ blob: BlobDescriptor) async throws -> BlobInspection {
        let path = try path(forKey: blob.key)
        return try await NIOThreadPool.singleton.runIfActive {
            guard let handle = FileHandle(forReadingAtPath: path) else { return .missing }
            defer { try? handle.close() }
            var hash = SHA256()
            var count: Int64 = 0
            while let chunk = try handle.read(upToCount: 256 * 1024), !chunk.isEmpty {
                hash.update(data: chunk)
                count += Int64(chunk.count)
            }
            guard count == blob.byteSize else { return .mismatch("stored \(count) bytes, expected \(blob.byteSize)") }
            return .verified(sha256: hash.finalize().hexString)
        }
    }

    func delete(key: String) async throws {
        let path = try path(forKey: key)
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch where !FileManager.default.fileExists(atPath: path) {
            // Already gone: deleting is idempotent.
        }
    }

    func purgeScratch() async {
        let cutoff = Date().addingTimeInterval(-scratchLifetime)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: incomingDirectory)) ?? []
        for name in names {
            let path = (incomingDirectory as NSString).appendingPathComponent(name)
            if let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date,
               modified < cutoff {
                try? FileManager.default.removeItem(atPath: path)
            }
        }
    }

    // MARK: - Used by BlobRoutes

    /// Where a blob's bytes are. Keys are `<uuid>/<uuid>`; anything else is refused, so a key
    /// can never walk out of the directory.
    func path(forKey key: String) throws -> String {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ IDs.canonical(String($0)) == String($0) }) else {
            throw BlobStoreError("malformed blob key")
        }
        return (directory as NSString).appendingPathComponent(key)
    }

    /// A fresh path for an upload in progress.
    func temporaryPath() -> String {
        (incomingDirectory as NSString).appendingPathComponent(IDs.make())
    }

    /// Gives a finished upload its final name; throws `AlreadyStored` when the name is taken.
    func commit(temporaryPath: String, key: String) throws {
        let destination = try path(forKey: key)
        try FileManager.default.createDirectory(atPath: (destination as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        do {
            try FileManager.default.linkItem(atPath: temporaryPath, toPath: destination)
        } catch {
            if FileManager.default.fileExists(atPath: destination) { throw AlreadyStored() }
            throw error
        }
        try? FileManager.default.removeItem(atPath: temporaryPath)
    }

    /// Removes an upload that failed or lost a race.
    func discard(temporaryPath: String) {
        try? FileManager.default.removeItem(atPath: temporaryPath)
    }

    /// The final name of a blob already holds bytes.
    struct AlreadyStored: Error {}

    private var incomingDirectory: String { (directory as NSString).appendingPathComponent(".incoming") }
}
