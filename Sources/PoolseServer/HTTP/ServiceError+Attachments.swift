/// The errors of blob uploads and signed blob URLs (PROTOCOL.md §2, §5).
extension ServiceError {
    static func sizeMismatch(expected: Int64) -> ServiceError {
        ServiceError(status: 400, code: "size_mismatch",
                     message: "the upload must be exactly \(expected) bytes, the byte_size that was requested")
    }
    static let signatureInvalid = ServiceError(status: 403, code: "signature_invalid",
                                               message: "the URL signature is missing or not valid")
    static let signatureExpired = ServiceError(status: 403, code: "signature_expired",
                                               message: "the signed URL has expired; request a new one")
}
