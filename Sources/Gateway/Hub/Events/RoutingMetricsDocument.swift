import Routing

/// `GET /routing/metrics`.
struct RoutingMetricsDocument: Encodable, Sendable {
    var router: RouterMetrics
    var endpoints: [String: EndpointMetricsDocument]
}

/// One endpoint's counters plus the dead letters stored for it (across restarts).
struct EndpointMetricsDocument: Encodable, Sendable {
    var metrics: EndpointMetrics
    var storedDeadLetters: Int

    enum CodingKeys: String, CodingKey {
        case routed, delivered, failedAttempts, deadLettered, lastError, storedDeadLetters
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(metrics.routed, forKey: .routed)
        try container.encode(metrics.delivered, forKey: .delivered)
        try container.encode(metrics.failedAttempts, forKey: .failedAttempts)
        try container.encode(metrics.deadLettered, forKey: .deadLettered)
        try container.encodeIfPresent(metrics.lastError, forKey: .lastError)
        try container.encode(storedDeadLetters, forKey: .storedDeadLetters)
    }
}
