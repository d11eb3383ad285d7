import Prometheus

/// The outbound queue's figures: depth, attempts, failures and delivery latency, per job kind.
extension ServerMetrics {
    private static let deliveryBuckets: [Duration] = [
        .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
        .seconds(5), .seconds(30), .seconds(60), .seconds(300), .seconds(3600),
    ]

    private static func outboundName(_ name: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    /// Pending jobs of `kind` (`poolse_outbound_queue_depth`).
    func setOutboundDepth(kind: String, _ depth: Int) {
        registry.makeGauge(descriptor: Self.outboundName("poolse_outbound_queue_depth", help: "Pending outbound jobs"),
                           labels: [("kind", kind)]).set(Double(depth))
    }

    /// One attempt at a job and how it ended: `delivered`, `retry`, `failed`, `gone` (push device), `skipped`.
    func recordOutboundAttempt(kind: String, outcome: String) {
        registry.makeCounter(descriptor: Self.outboundName("poolse_outbound_attempts_total", help: "Outbound job attempts"),
                             labels: [("kind", kind), ("outcome", outcome)]).increment()
        if outcome == "failed" {
            registry.makeCounter(descriptor: Self.outboundName("poolse_outbound_failures_total",
                                                               help: "Outbound jobs given up"),
                                 labels: [("kind", kind)]).increment()
        }
    }

    /// Time from a job's creation to its delivery (`poolse_outbound_delivery_seconds`).
    func recordOutboundDelivery(kind: String, after duration: Duration) {
        registry.makeDurationHistogram(
            descriptor: Self.outboundName("poolse_outbound_delivery_seconds", help: "Outbound delivery latency from enqueue"),
            labels: [("kind", kind)], buckets: Self.deliveryBuckets
        ).record(duration)
    }
}
