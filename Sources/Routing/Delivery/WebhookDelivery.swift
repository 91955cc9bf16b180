import Foundation
import Logging

/// Delivers one partition of a webhook endpoint, in order: reads events after the delivery cursor, POSTs them
/// (one event object, or a JSON array when `batchSize` > 1), moves the cursor on a 2xx; retries failures with
/// exponential back-off and dead-letters the request's events after `maxAttempts`. Partitions run independently,
/// so one device's failing events hold back only its own partition, never intake or other endpoints.
struct WebhookDelivery: Sendable {
    let routing: ShardRouting
    let endpoint: RoutingEndpointConfiguration
    let partition: Int
    let transport: any WebhookTransport
    let sleep: @Sendable (Duration) async throws -> Void
    let now: @Sendable () -> Date
    let logger: Logger

    var cursorName: String { "deliver:\(endpoint.name):\(partition)" }

    /// Delivers until cancelled or the endpoint's configuration changes.
    func run() async {
        guard let url = endpoint.url.flatMap(URL.init(string:)) else { return }
        let retry = RetryPolicy(initial: endpoint.effectiveRetryInitialSeconds, maximum: endpoint.effectiveRetryMaximumSeconds)
        var delivered: Int64?
        var attempts = 0
        while !Task.isCancelled, routing.currentTable.endpoints[endpoint.name] == endpoint {
            let version = routing.appended.version
            do {
                let position: Int64
                if let delivered {
                    position = delivered
                } else {
                    position = try await routing.store.cursor(shard: routing.shard, name: cursorName) ?? -1
                    delivered = position
                }
                let events = try await routing.store.events(shard: routing.shard, endpoint: endpoint.name, partition: partition,
                                                            from: position + 1, limit: endpoint.effectiveBatchSize)
                guard let last = events.last?.sequenceNumber else {
                    await routing.appended.wait(since: version, timeout: .seconds(5))
                    continue
                }
                let failure = await post(events, to: url)
                if let failure {
                    attempts += 1
                    routing.recordEndpoint(endpoint.name) {
                        $0.failedAttempts += 1
                        $0.lastError = failure
                    }
                    if attempts >= endpoint.effectiveMaxAttempts {
                        try await routing.store.deadLetter(shard: routing.shard, endpoint: endpoint.name, events: events, attempts: attempts,
                                                           reason: failure, cursor: cursorName, failedTime: now())
                        routing.recordEndpoint(endpoint.name) { $0.deadLettered += events.count }
                        logger.warning("webhook events dead-lettered", metadata: [
                            "hub.shard": "\(routing.shard)", "routing.endpoint": "\(endpoint.name)", "routing.partition": "\(partition)",
                            "routing.attempts": "\(attempts)", "routing.error": "\(failure)",
                        ])
                        delivered = last
                        attempts = 0
                    } else {
                        try await sleep(retry.delay(afterAttempt: attempts))
                    }
                    continue
                }
                try await routing.store.setCursor(shard: routing.shard, name: cursorName, position: last)
                routing.recordEndpoint(endpoint.name) { $0.delivered += events.count }
                delivered = last
                attempts = 0
            } catch is CancellationError {
                return
            } catch {
                routing.recordEndpoint(endpoint.name) { $0.lastError = "\(error)" }
                logger.error("webhook delivery failed", metadata: ["hub.shard": "\(routing.shard)", "routing.endpoint": "\(endpoint.name)",
                                                                   "routing.error": "\(error)"])
                try? await sleep(.seconds(1))
            }
        }
    }

    /// One attempt; nil on success, else why it failed (never includes header values).
    private func post(_ events: [StoredEvent], to url: URL) async -> String? {
        do {
            let body = endpoint.effectiveBatchSize == 1 ? try EventDocument.encode(events[0]) : try EventDocument.encode(events)
            var headers = endpoint.headers ?? [:]
            if !headers.keys.contains(where: { $0.lowercased() == "content-type" }) { headers["Content-Type"] = "application/json" }
            let status = try await transport.post(url: url, headers: headers, body: body,
                                                  timeout: RetryPolicy.duration(seconds: endpoint.effectiveTimeoutSeconds),
                                                  trustBundle: endpoint.trustBundle)
            return (200..<300).contains(status) ? nil : "HTTP \(status)"
        } catch {
            return "\(error)"
        }
    }
}
