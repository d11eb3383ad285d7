import Foundation
import Prometheus

/// The server's Prometheus metrics, exposed at `GET /metrics`. One registry per app
/// (not the process-global MetricsSystem), so several servers in one process — tests,
/// `poolse bench` — keep their figures apart.
public final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()

    /// Request latency buckets: 0.5 ms to 5 s.
    private static let latencyBuckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
        .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .seconds(2.5), .seconds(5),
    ]

    /// Connected WebSockets.
    public let openSockets: Gauge
    /// Joined channel subscriptions across sockets.
    public let joinedChannels: Gauge
    /// Events handed to the pub/sub.
    public let eventsPublished: Counter
    /// Frames written to sockets.
    public let eventsDelivered: Counter
    /// Sockets dropped because their outbound queue was full.
    public let outboundQueueDrops: Counter
    /// Messages committed to the database.
    public let messagesPersisted: Counter

    public init() {
        openSockets = registry.makeGauge(descriptor: Self.name("poolse_realtime_open_sockets", help: "Connected WebSockets"))
        joinedChannels = registry.makeGauge(descriptor: Self.name("poolse_realtime_joined_channels", help: "Joined channels across sockets"))
        eventsPublished = registry.makeCounter(descriptor: Self.name("poolse_realtime_events_published_total", help: "Events published to the pub/sub"))
        eventsDelivered = registry.makeCounter(descriptor: Self.name("poolse_realtime_events_delivered_total", help: "Event frames written to sockets"))
        outboundQueueDrops = registry.makeCounter(descriptor: Self.name("poolse_realtime_outbound_queue_drops_total", help: "Sockets disconnected because their outbound queue filled"))
        messagesPersisted = registry.makeCounter(descriptor: Self.name("poolse_messages_persisted_total", help: "Messages committed"))
    }

    /// Counts one answered request and its latency, by route template (never the raw path,
    /// which would make one series per id).
    func recordRequest(route: String, method: String, status: Int, duration: Duration) {
        registry.makeCounter(
            descriptor: Self.name("poolse_http_requests_total", help: "Answered HTTP requests"),
            labels: [("route", route), ("method", method), ("status", String(status))]
        ).increment()
        registry.makeDurationHistogram(
            descriptor: Self.name("poolse_http_request_duration_seconds", help: "Request latency"),
            labels: [("route", route), ("method", method)], buckets: Self.latencyBuckets
        ).record(duration)
    }

    /// A metric name with no unit suffix appended (units are spelled in our names).
    private static func name(_ metricName: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: metricName, unitName: "", helpText: help)
    }

    /// The Prometheus text exposition.
    public func exposition() -> [UInt8] { registry.emitToBuffer() }
}
