import Foundation
import Observation

/// A queue of file uploads with progress, cancel and retry: the Swift counterpart of
/// `useAttachmentUpload`. Uploads run one at a time, in the order added; pass the ids of
/// ``Upload/State/done(_:)`` uploads to a send, or hand the files to
/// ``MessageListModel/send(_:attachments:quoting:mentions:)`` to upload them through the
/// outbox instead.
@MainActor @Observable
public final class AttachmentUploadModel {
    /// One file in the queue.
    public struct Upload: Identifiable, Sendable {
        /// Where an upload is.
        public enum State: Sendable {
            /// Waiting for the uploads before it.
            case queued
            /// Bytes going out.
            case uploading
            /// Uploaded: the attachment (pending until a message links it).
            case done(Attachment)
            /// Refused or interrupted, with the SDK's error: ``AttachmentUploadModel/retry(_:)``.
            case failed(any Error)
            /// Cancelled by ``AttachmentUploadModel/cancel(_:)``.
            case cancelled
        }

        /// A local id for the row.
        public let id: UUID
        /// What is uploaded.
        public let input: AttachmentUploadInput
        /// Where it is.
        public internal(set) var state: State
        /// Bytes sent and total, when the transport reports them.
        public internal(set) var progress: UploadProgress?

        /// The share sent, 0 to 1 (0 while unknown).
        public var fractionCompleted: Double {
            guard let progress, progress.total > 0 else { return 0 }
            return Double(progress.loaded) / Double(progress.total)
        }
    }

    /// The uploads in the order added.
    public private(set) var uploads: [Upload] = []

    private let session: PoolseSession
    @ObservationIgnored private var running: (id: UUID, task: Task<Void, Never>)?

    /// An empty queue.
    public init(session: PoolseSession) { self.session = session }

    /// The attachment ids of the finished uploads, in order.
    public var attachmentIDs: [String] {
        uploads.compactMap { if case .done(let attachment) = $0.state { attachment.id } else { nil } }
    }

    /// Adds a file to the queue; returns its row id.
    @discardableResult
    public func add(_ input: AttachmentUploadInput) -> UUID {
        let upload = Upload(id: UUID(), input: input, state: .queued, progress: nil)
        uploads.append(upload)
        next()
        return upload.id
    }

    /// Stops an upload (queued or running); it stays in the list as cancelled.
    public func cancel(_ id: UUID) {
        if running?.id == id { running?.task.cancel() }
        set(id) { $0.state = .cancelled }
    }

    /// Queues a failed or cancelled upload again.
    public func retry(_ id: UUID) {
        set(id) { upload in
            switch upload.state {
            case .failed, .cancelled:
                upload.state = .queued
                upload.progress = nil
            default: break
            }
        }
        next()
    }

    /// Removes an upload from the list (cancelling it if it runs).
    public func remove(_ id: UUID) {
        if running?.id == id { running?.task.cancel() }
        uploads.removeAll { $0.id == id }
    }

    private func next() {
        guard running == nil, let upload = uploads.first(where: { if case .queued = $0.state { true } else { false } })
        else { return }
        let id = upload.id
        set(id) { $0.state = .uploading }
        let attachments = session.client.attachments
        let input = upload.input
        let (progress, sink) = AsyncStream<UploadProgress>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let task = Task { [weak self] in
            let watcher = Task { @MainActor [weak self] in
                for await step in progress { self?.set(id) { $0.progress = step } }
            }
            let result: Result<Attachment, any Error>
            do {
                result = .success(try await attachments.upload(input) { sink.yield($0) })
            } catch {
                result = .failure(error)
            }
            sink.finish()
            await watcher.value
            self?.finish(id, result)
        }
        running = (id, task)
    }

    private func finish(_ id: UUID, _ result: Result<Attachment, any Error>) {
        running = nil
        set(id) { upload in
            guard case .uploading = upload.state else { return }  // cancelled meanwhile
            switch result {
            case .success(let attachment): upload.state = .done(attachment)
            case .failure(let error): upload.state = error is CancellationError ? .cancelled : .failed(error)
            }
        }
        next()
    }

    private func set(_ id: UUID, _ change: (inout Upload) -> Void) {
        guard let index = uploads.firstIndex(where: { $0.id == id }) else { return }
        change(&uploads[index])
    }
}
