import Crypto
import Foundation

/// AWS Signature Version 4 for S3, written against the published algorithm
/// (docs.aws.amazon.com, "Signature Version 4 signing process"), both ways S3 accepts it:
/// presigned URLs (signature in the query, for clients) and the `Authorization` header
/// (for the server's own calls).
///
///     canonical request = METHOD \n URI \n sorted query \n headers \n signed header names \n payload hash
///     string to sign    = "AWS4-HMAC-SHA256" \n amz-date \n date/region/s3/aws4_request \n hex(SHA256(canonical request))
///     signing key       = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), "s3"), "aws4_request")
///     signature         = hex(HMAC(signing key, string to sign))
struct SigV4: Sendable {
    let accessKeyId: String
    let secretAccessKey: String
    let region: String
    var service = "s3"

    static let unsignedPayload = "UNSIGNED-PAYLOAD"
    static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// A presigned URL: `scheme://host/path?query&X-Amz-…&X-Amz-Signature=…`. `headers` are the
    /// headers the client must send exactly (signed); `host` is always signed.
    func presignedURL(method: String, scheme: String, host: String, path: String, query: [(String, String)] = [],
                      headers: [String: String] = [:], expiresIn seconds: Int, now: Date = Date()) -> String {
        let (amzDate, day) = Self.timestamps(now)
        var signed = Self.lowercased(headers)
        signed["host"] = host
        let names = signed.keys.sorted()
        var items = query
        items.append(("X-Amz-Algorithm", "AWS4-HMAC-SHA256"))
        items.append(("X-Amz-Credential", "\(accessKeyId)/\(scope(day))"))
        items.append(("X-Amz-Date", amzDate))
        items.append(("X-Amz-Expires", String(seconds)))
        items.append(("X-Amz-SignedHeaders", names.joined(separator: ";")))
        let canonicalQuery = Self.canonicalQuery(items)
        let signature = sign(method: method, path: path, canonicalQuery: canonicalQuery, headers: signed,
                             payloadHash: Self.unsignedPayload, amzDate: amzDate, day: day)
        return "\(scheme)://\(host)\(Self.encodePath(path))?\(canonicalQuery)&X-Amz-Signature=\(signature)"
    }

    /// Headers that authenticate a request from the server itself: `x-amz-date`,
    /// `x-amz-content-sha256` and `Authorization`. `headers` must include every other header
    /// that is signed (at least `host`).
    func authorizationHeaders(method: String, path: String, query: [(String, String)] = [], headers: [String: String],
                              payloadHash: String = emptyPayloadHash, now: Date = Date()) -> [String: String] {
        let (amzDate, day) = Self.timestamps(now)
        var signed = Self.lowercased(headers)
        signed["x-amz-date"] = amzDate
        signed["x-amz-content-sha256"] = payloadHash
        let signature = sign(method: method, path: path, canonicalQuery: Self.canonicalQuery(query), headers: signed,
                             payloadHash: payloadHash, amzDate: amzDate, day: day)
        let credential = "AWS4-HMAC-SHA256 Credential=\(accessKeyId)/\(scope(day)),"
            + "SignedHeaders=\(signed.keys.sorted().joined(separator: ";")),Signature=\(signature)"
        return ["x-amz-date": amzDate, "x-amz-content-sha256": payloadHash, "Authorization": credential]
    }

    // MARK: - The algorithm

    private func sign(method: String, path: String, canonicalQuery: String, headers: [String: String],
                      payloadHash: String, amzDate: String, day: String) -> String {
        let names = headers.keys.sorted()
        let canonicalHeaders = names.map { "\($0):\(Self.trimmed(headers[$0] ?? ""))\n" }.joined()
        let canonicalRequest = [method, Self.encodePath(path), canonicalQuery, canonicalHeaders,
                                names.joined(separator: ";"), payloadHash].joined(separator: "\n")
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope(day),
                            SHA256.hash(data: Data(canonicalRequest.utf8)).hexString].joined(separator: "\n")
        var key = SymmetricKey(data: Data("AWS4\(secretAccessKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        return HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key).hexString
    }

    private func scope(_ day: String) -> String { "\(day)/\(region)/\(service)/aws4_request" }

    /// `20130524T000000Z` and `20130524`, in UTC.
    static func timestamps(_ date: Date) -> (amzDate: String, day: String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let day = String(format: "%04d%02d%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
        return (day + String(format: "T%02d%02d%02dZ", c.hour ?? 0, c.minute ?? 0, c.second ?? 0), day)
    }

    /// Query items sorted by encoded name, then value, each side URI-encoded.
    static func canonicalQuery(_ items: [(String, String)]) -> String {
        let encoded: [(name: String, value: String)] = items.map { (encode($0.0), encode($0.1)) }
        let sorted = encoded.sorted { (a, b) -> Bool in a.name == b.name ? a.value < b.value : a.name < b.name }
        return sorted.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
    }

    /// RFC 3986 encoding: everything but `A-Z a-z 0-9 - _ . ~` becomes `%XX` (uppercase hex).
    static func encode(_ text: String, keepingSlash: Bool = false) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case 0x41...0x5A, 0x61...0x7A, 0x30...0x39, 0x2D, 0x5F, 0x2E, 0x7E:
                result.append(Character(UnicodeScalar(byte)))
            case 0x2F where keepingSlash:
                result.append("/")
            default:
                result.append(String(format: "%%%02X", byte))
            }
        }
        return result
    }

    static func encodePath(_ path: String) -> String { encode(path.isEmpty ? "/" : path, keepingSlash: true) }

    private static func lowercased(_ headers: [String: String]) -> [String: String] {
        Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { _, last in last })
    }

    private static func trimmed(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }
}
