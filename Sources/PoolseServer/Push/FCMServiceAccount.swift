import _CryptoExtras
import Foundation

/// A Google service account, as the JSON file Firebase hands out: who signs (`client_email`,
/// `private_key`), where the signed assertion is exchanged for an access token (`token_uri`),
/// and which Firebase project messages go to (`project_id`).
struct FCMServiceAccount: Sendable, Hashable {
    let projectId: String
    let clientEmail: String
    let privateKeyId: String?
    let privateKeyPEM: String
    let tokenURI: String
    /// The file's text, as given: what is stored (sealed).
    let json: String

    /// Google's token endpoint, used when the file names none.
    static let defaultTokenURI = "https://oauth2.googleapis.com/token"

    private struct File: Decodable {
        let projectId: String?
        let clientEmail: String?
        let privateKeyId: String?
        let privateKey: String?
        let tokenUri: String?
        enum CodingKeys: String, CodingKey {
            case projectId = "project_id", clientEmail = "client_email", privateKeyId = "private_key_id",
                 privateKey = "private_key", tokenUri = "token_uri"
        }
    }

    /// Parses and checks the JSON text. Problems are `validation_failed` on `field`. The token
    /// endpoint must be https on `googleapis.com`: the server posts a signed assertion there, and a
    /// tenant must not be able to aim that at another host (`PushConfiguration.fcmTokenURL`
    /// redirects every account for a proxy or a test).
    init(json: String, field: String = "service_account") throws {
        guard let file = try? JSONDecoder().decode(File.self, from: Data(json.utf8)) else {
            throw DomainError.validation(field, "is not a service-account JSON object")
        }
        var problems: [String] = []
        let projectId = file.projectId ?? ""
        let clientEmail = file.clientEmail ?? ""
        if projectId.isEmpty || projectId.count > 100
            || !projectId.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "-") }) {
            problems.append("project_id must be a Firebase project id")
        }
        if clientEmail.isEmpty || !clientEmail.contains("@") { problems.append("client_email must be the account's e-mail") }
        let pem = file.privateKey ?? ""
        if (try? _RSA.Signing.PrivateKey(pemRepresentation: pem)) == nil {
            problems.append("private_key must be an RSA private key (2048 bits or more) in PEM form")
        }
        let tokenURI = file.tokenUri ?? Self.defaultTokenURI
        if let url = URL(string: tokenURI), url.scheme == "https", let host = url.host?.lowercased(),
           host == "googleapis.com" || host.hasSuffix(".googleapis.com") {
        } else {
            problems.append("token_uri must be an https URL on googleapis.com")
        }
        guard problems.isEmpty else { throw DomainError.validation([field: problems]) }
        self.projectId = projectId
        self.clientEmail = clientEmail
        privateKeyId = file.privateKeyId
        privateKeyPEM = pem
        self.tokenURI = tokenURI
        self.json = json
    }

    /// The parsed signing key (validated by `init`).
    func signingKey() throws -> _RSA.Signing.PrivateKey { try _RSA.Signing.PrivateKey(pemRepresentation: privateKeyPEM) }
}
