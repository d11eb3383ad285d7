import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Logs one line per request with its id, method, path (never the query, which may carry
/// a token), status and duration; echoes the id in `X-Request-Id`. Also turns the
/// router's own errors (unknown route, wrong method) into the §2 envelope.
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    let docBaseURL: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let requestID = request.headers[.requestID].flatMap { $0.count <= 128 ? $0 : nil } ?? IDs.make()
        var context = context
        context.logger[metadataKey: "request_id"] = .string(requestID)
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = Self.envelope(for: error, docBaseURL: docBaseURL)
        }
        response.headers[.requestID] = requestID
        let elapsed = ContinuousClock.now - start
        context.logger.info("request", metadata: [
            "method": .string(request.method.rawValue), "path": .string(request.uri.path),
            "status": .stringConvertible(response.status.code),
            "ms": .string(String(format: "%.2f", Double(elapsed.components.attoseconds) / 1e15
                                  + Double(elapsed.components.seconds) * 1000)),
        ])
        return response
    }

    static func envelope(for error: any Error, docBaseURL: String) -> Response {
        let serviceError: ServiceError
        if let error = ServiceError.reporting(error) {
            serviceError = error
        } else if let error = error as? any HTTPResponseError {
            switch error.status.code {
            case 404: serviceError = .notFound("route")
            case 405: serviceError = ServiceError(status: 405, code: "method_not_allowed", message: "method not allowed")
            case 413: serviceError = .payloadTooLarge(limit: 0)
            case 400..<500: serviceError = .badRequest("the request could not be read")
            default: serviceError = .internalError
            }
        } else {
            serviceError = .internalError
        }
        return RoutePipeline.render(.error(serviceError, docBaseURL: docBaseURL))
    }
}
