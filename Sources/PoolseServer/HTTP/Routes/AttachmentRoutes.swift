import PoolseWire

/// PROTOCOL.md §5: the JSON half of attachments. The bytes travel on signed URLs
/// (`BlobRoutes` for the local store, the bucket itself for S3).
enum AttachmentRoutes {
    static func specs(_ attachments: AttachmentService) -> [RouteSpec] {
        [
            RouteSpec(method: .post, path: "/v1/attachments/upload-url", auth: .userToken, rateClass: .uploads) { req in
                try .json(await attachments.requestUpload(req.decode(AttachmentUploadRequest.self), by: req.user),
                          status: 201)
            },
            RouteSpec(method: .get, path: "/v1/attachments/:id/download-url", auth: .userToken, rateClass: .reads) { req in
                try .json(await attachments.downloadURL(id: req.uuid("id"), for: req.user))
            },
            RouteSpec(method: .delete, path: "/v1/attachments/:id", auth: .userToken, rateClass: .writes) { req in
                try await attachments.delete(id: req.uuid("id"), by: req.user)
                return .noContent
            },
        ]
    }
}
