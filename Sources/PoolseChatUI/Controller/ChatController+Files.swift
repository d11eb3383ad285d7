import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import PoolseState

/// `/upload` and `/download`: files to and from the open conversation.
extension ChatController {
    func upload(_ path: String, caption: String?) {
        guard let id = state.openConversationID else { return notice("open a conversation first") }
        let expanded = (path as NSString).expandingTildeInPath
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: expanded, isDirectory: &isDirectory), !isDirectory.boolValue else {
            return notice("no file at \(path)")
        }
        let url = URL(fileURLWithPath: expanded)
        let name = url.lastPathComponent
        let upload = session.client.attachments.startUpload(
            AttachmentUploadInput(file: url, contentType: ContentType.of(path: name), filename: name))
        setUpload(ChatState.Upload(name: name, fraction: 0))
        Task {
            for await step in upload.progress where step.total > 0 {
                setUpload(ChatState.Upload(name: name, fraction: Double(step.loaded) / Double(step.total)))
            }
        }
        Task {
            do {
                let attachment = try await upload.attachment
                setUpload(ChatState.Upload(name: name, fraction: 1))
                _ = try await session.client.conversations.one(id).messages.send(
                    MessageCreateRequest(body: caption, attachmentIds: [attachment.id]))
                setUpload(nil)
                notice("sent \(name)")
            } catch {
                setUpload(nil)
                notice(error)
            }
        }
    }

    func download(to directory: String?) {
        guard let id = targetMessageID, let message = feed?.messages.first(where: { $0.id == id })?.message,
              let files = message.attachments, !files.isEmpty else {
            return notice("the selected message has no files")
        }
        let folder = URL(fileURLWithPath: ((directory ?? ".") as NSString).expandingTildeInPath)
        Task {
            do {
                var saved: [String] = []
                for file in files {
                    let link = try await session.client.attachments.one(file.id).downloadURL()
                    let target = Self.freeName(in: folder, for: file.originalFilename ?? file.id)
                    guard let url = URL(string: link.url) else { throw DownloadError(message: "the server's link is not a URL") }
                    let (data, response) = try await URLSession.shared.data(from: url)
                    if let http = response as? HTTPURLResponse, http.statusCode != 200 {
                        throw DownloadError(message: "the download answered HTTP \(http.statusCode)")
                    }
                    try data.write(to: target, options: .withoutOverwriting)
                    saved.append(target.path)
                }
                notice("saved " + saved.joined(separator: ", "))
            } catch {
                notice(error)
            }
        }
    }

    /// `name` in `folder`, made safe (no path separators, no leading dot) and not
    /// overwriting a file that is there: "a.pdf", then "a (1).pdf", …
    static func freeName(in folder: URL, for name: String) -> URL {
        var safe = name.replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "\\", with: "_")
        while safe.hasPrefix(".") { safe.removeFirst() }
        if safe.isEmpty { safe = "download" }
        let base = (safe as NSString).deletingPathExtension, ext = (safe as NSString).pathExtension
        var candidate = folder.appendingPathComponent(safe)
        var number = 1
        while FileManager.default.fileExists(atPath: candidate.path) {
            candidate = folder.appendingPathComponent(ext.isEmpty ? "\(base) (\(number))" : "\(base) (\(number)).\(ext)")
            number += 1
        }
        return candidate
    }
}

/// A download the server or the storage refused.
struct DownloadError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
