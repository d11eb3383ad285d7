import Foundation

/// Ids are lowercase UUID strings everywhere: on the wire, in the database and in logs.
enum IDs {
    /// A new random id.
    static func make() -> String { UUID().uuidString.lowercased() }

    /// The canonical (lowercase) form of `text` when it is a UUID, nil otherwise.
    static func canonical(_ text: String) -> String? {
        guard text.utf8.count == 36, let uuid = UUID(uuidString: text) else { return nil }
        return uuid.uuidString.lowercased()
    }
}
