import Foundation
import Hub
import Logging

/// Routes one shard: reads telemetry and hub events after the stored cursors, evaluates the table, and appends the
/// copies to endpoint logs together with the new cursors in one transaction — at-least-once from the durable sources
/// into the logs (exactly once, in fact: a crash loses the whole transaction or none of it).
struct MessageRouter: Sendable {
    static let telemetryCursor = "source:telemetry"
    static let hubEventCursor = "source:hub_event"

    let routing: ShardRouting
    let telemetry: any TelemetryStore
    let hubEvents: any HubEventStore
    let twins: any DeviceRegistry
    let batchSize: Int
    var sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    let now: @Sendable () -> Date
    let logger: Logger

    /// Routes until cancelled; waits on the intake signal (with a slow poll as a safety net) when caught up.
    func run() async {
        var cursors: (telemetry: Int64, hub: Int64)?
        var failures = 0
        while !Task.isCancelled {
            let version = routing.intake.version
            do {
                if cursors == nil {
                    cursors = (try await routing.store.cursor(shard: routing.shard, name: Self.telemetryCursor) ?? 0,
                               try await routing.store.cursor(shard: routing.shard, name: Self.hubEventCursor) ?? 0)
                }
                let (count, moved) = try await step(after: cursors!)
                cursors = moved
                failures = 0
                if count == 0 { await routing.intake.wait(since: version, timeout: .seconds(1)) }
            } catch {
                failures += 1
                routing.recordRouter { $0.lastError = "\(error)" }
                logger.error("routing failed; retrying", metadata: ["hub.shard": "\(routing.shard)", "routing.error": "\(error)"])
                // Back off from a failing store without spinning.
                try? await sleep(.milliseconds(min(5000, 100 * (1 << min(failures, 6)))))
            }
        }
    }

    /// Routes one batch from each source; returns how many messages were read and the new cursors.
    func step(after cursors: (telemetry: Int64, hub: Int64)) async throws -> (Int, (telemetry: Int64, hub: Int64)) {
        let messages = try await telemetry.telemetry(shard: routing.shard, after: cursors.telemetry, limit: batchSize)
        let events = try await hubEvents.hubEvents(shard: routing.shard, after: cursors.hub, limit: batchSize)
        guard !messages.isEmpty || !events.isEmpty else { return (0, cursors) }
        let table = routing.currentTable
        var appends: [EventAppend] = []
        var twinCache: [String: DeviceTwin?] = [:]
        for stored in messages + events {
            let message = RoutingMessage(stored.message)
            guard table.routes(message.source) else { continue }
            var twin: DeviceTwin?
            if table.referencesTwin {
                if let cached = twinCache[message.deviceId] {
                    twin = cached
                } else {
                    twin = try await twins.twin(shard: routing.shard, deviceId: message.deviceId)
                    twinCache[message.deviceId] = twin
                }
            }
            for delivery in table.deliveries(for: message, twin: twin, hubName: routing.shard) {
                appends.append(table.eventAppend(endpoint: delivery.endpoint, deviceId: message.deviceId, moduleId: message.moduleId,
                                                 body: message.body, properties: delivery.applicationProperties,
                                                 systemProperties: message.systemProperties))
            }
        }
        let moved = (telemetry: messages.last?.sequenceNumber ?? cursors.telemetry, hub: events.last?.sequenceNumber ?? cursors.hub)
        var cursorUpdates: [String: Int64] = [:]
        if moved.telemetry != cursors.telemetry { cursorUpdates[Self.telemetryCursor] = moved.telemetry }
        if moved.hub != cursors.hub { cursorUpdates[Self.hubEventCursor] = moved.hub }
        // Routed telemetry leaves the intake log in the same transaction: the event logs hold it from here on.
        try await routing.store.commitRouting([RoutingCommit(
            shard: routing.shard, appends: appends, cursors: cursorUpdates,
            consumedTelemetryThrough: moved.telemetry != cursors.telemetry ? moved.telemetry : nil)], enqueuedTime: now())
        routing.recordRouter {
            $0.messagesRead += messages.count + events.count
            $0.batches += 1
        }
        for (endpoint, count) in Dictionary(grouping: appends, by: \.endpoint).mapValues(\.count) {
            routing.recordEndpoint(endpoint) { $0.routed += count }
        }
        if !appends.isEmpty { routing.appended.notify() }
        return (messages.count + events.count, moved)
    }
}
