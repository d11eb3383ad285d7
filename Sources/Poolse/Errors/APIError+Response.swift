import Foundation

extension APIError {
    /// The error for a non-2xx response: the envelope's fields when the body is one,
    /// a status-derived code and a quote of the body otherwise.
    init(response: TransportResponse) {
        if let envelope = try? WireCoding.decoder.decode(ErrorEnvelope.self, from: response.body) {
            let body = envelope.error
            self.init(status: response.statusCode, code: body.code, message: body.message,
                      docURL: body.docURL.flatMap(URL.init(string:)), details: body.details)
            return
        }
        self.init(status: response.statusCode, code: Self.fallbackCode(forStatus: response.statusCode),
                  message: Self.fallbackMessage(for: response))
    }

    /// How much of a non-envelope body to quote: enough to recognise a proxy page,
    /// short enough for a log line.
    private static let quotedBodyLimit = 200

    private static func fallbackMessage(for response: TransportResponse) -> String {
        let text = String(decoding: response.body, as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return "HTTP \(response.statusCode) with no error body" }
        let quoted = text.count > quotedBodyLimit ? String(text.prefix(quotedBodyLimit)) + "…" : text
        return "HTTP \(response.statusCode): \(quoted)"
    }
}
