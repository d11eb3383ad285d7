import Foundation

/// Builds request URLs: the API base, a path, a percent-encoded query.
enum RequestURL {
    /// The characters RFC 3986 calls unreserved; everything else in a path segment or
    /// query component is percent-encoded. ASCII only on purpose: `CharacterSet.alphanumerics`
    /// would let an emoji's letters through unencoded.
    static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// One path segment (an id, an emoji), safe to put between slashes.
    static func segment(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? value
    }

    /// `base` + `path` (a leading slash is added when missing) + the encoded query.
    /// - Throws: ``InvalidRequestError`` when the result is not a URL.
    static func make(base: URL, path: String, query: [URLQueryItem]) throws -> URL {
        var text = base.absoluteString
        text += path.hasPrefix("/") ? path : "/" + path
        if !query.isEmpty {
            let pairs = query.map { item in
                segment(item.name) + (item.value.map { "=" + segment($0) } ?? "")
            }
            text += "?" + pairs.joined(separator: "&")
        }
        guard let url = URL(string: text) else {
            throw InvalidRequestError(message: "\(path) does not make a valid URL on \(base)")
        }
        return url
    }
}
