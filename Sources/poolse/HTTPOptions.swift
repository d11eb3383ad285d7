import ArgumentParser
import Foundation
import PoolseServer

/// `poolse serve` options for HTTP connections: timeouts, request-head limits, the connection cap.
struct HTTPOptions: ParsableArguments {
    @Option(name: .customLong("request-head-timeout"),
            help: "Seconds a connection may take to send a complete request head (env POOLSE_REQUEST_HEAD_TIMEOUT; default 10).")
    var requestHeadTimeout: Double?

    @Option(name: .customLong("request-body-timeout"),
            help: "Longest silence in seconds while a request body is read (env POOLSE_REQUEST_BODY_TIMEOUT; default 30).")
    var requestBodyTimeout: Double?

    @Option(name: .customLong("idle-timeout"),
            help: "Seconds a kept-alive connection may wait for its next request (env POOLSE_IDLE_TIMEOUT; default 75).")
    var idleTimeout: Double?

    @Option(name: .customLong("max-connections"),
            help: "Connections served at once, WebSockets included (env POOLSE_MAX_CONNECTIONS; default: descriptor limit - 128, at most 10000).")
    var maxConnections: Int?

    @Option(name: .customLong("max-header-count"),
            help: "Most header fields in a request (env POOLSE_MAX_HEADER_COUNT; default 100).")
    var maxHeaderCount: Int?

    @Option(name: .customLong("max-header-bytes"),
            help: "Largest request line plus headers in bytes (env POOLSE_MAX_HEADER_BYTES; default 16384).")
    var maxHeaderBytes: Int?

    /// Applies these options, then the environment, over `configuration.http`.
    func apply(to configuration: inout ServerConfiguration) throws {
        let env = ProcessInfo.processInfo.environment
        func seconds(_ flag: Double?, _ name: String, _ option: String) throws -> Duration? {
            guard let value = try flag ?? env[name].map({ try parse($0, name, as: Double.self) }) else { return nil }
            guard value > 0, value.isFinite else { throw ValidationError("--\(option) must be a positive number of seconds") }
            return .milliseconds(Int64((value * 1000).rounded()))
        }
        func count(_ flag: Int?, _ name: String, _ option: String) throws -> Int? {
            guard let value = try flag ?? env[name].map({ try parse($0, name, as: Int.self) }) else { return nil }
            guard value >= 1 else { throw ValidationError("--\(option) must be at least 1") }
            return value
        }
        var http = configuration.http
        if let value = try seconds(requestHeadTimeout, "POOLSE_REQUEST_HEAD_TIMEOUT", "request-head-timeout") {
            http.requestHeadTimeout = value
        }
        if let value = try seconds(requestBodyTimeout, "POOLSE_REQUEST_BODY_TIMEOUT", "request-body-timeout") {
            http.requestBodyTimeout = value
        }
        if let value = try seconds(idleTimeout, "POOLSE_IDLE_TIMEOUT", "idle-timeout") { http.idleTimeout = value }
        if let value = try count(maxConnections, "POOLSE_MAX_CONNECTIONS", "max-connections") { http.maxConnections = value }
        if let value = try count(maxHeaderCount, "POOLSE_MAX_HEADER_COUNT", "max-header-count") { http.maxHeaderCount = value }
        if let value = try count(maxHeaderBytes, "POOLSE_MAX_HEADER_BYTES", "max-header-bytes") {
            // The request line alone needs room; a limit below this would refuse every request.
            guard value >= 1024 else { throw ValidationError("--max-header-bytes must be at least 1024") }
            http.maxHeaderBytes = value
        }
        configuration.http = http
    }

    private func parse<T: LosslessStringConvertible>(_ text: String, _ name: String, as type: T.Type) throws -> T {
        guard let value = T(text.trimmingCharacters(in: .whitespaces)) else {
            throw ValidationError("\(name)=\(text) is not a valid \(type == Int.self ? "integer" : "number")")
        }
        return value
    }
}
