import Foundation
import Hub
import Logging
import Provisioning
@testable import Routing
import Storage
import Testing

/// Telemetry routed in the transaction that makes it durable, and the router's path for tables that need twins.
@Suite("Routing at intake")
struct IntakeRoutingTests {
    private func events(_ database: ProvisioDatabase, endpoint: String = "events", partitions: Int = 4) async throws -> [StoredEvent] {
        var all: [StoredEvent] = []
        for partition in 0..<partitions {
            all += try await database.events(shard: "hub-1", endpoint: endpoint, partition: partition, from: 0, limit: 1000)
        }
        return all
    }

    @Test("with routing that needs only the message, it lands in the endpoint logs at once and never in the intake log")
    func routedAtIntake() async throws {
        try await withRoutingDatabase { database, _ in
            let hot = RoutingEndpointConfiguration(name: "hot", type: .eventLog)
            let routing = try await ShardRouting.open(shard: "hub-1", store: database, initial: RoutingConfiguration(
                endpoints: [hot], routes: [RouteConfiguration(name: "hot", condition: "$body.t > 30", endpointNames: ["hot"])]))
            let store = RoutedTelemetryStore(base: database, eventLog: database, routing: ["hub-1": routing]) { _ in
                Issue.record("nothing waits for the router")
            }
            let numbers = try await store.appendTelemetry((0..<10).map {
                telemetry("dev-\($0 % 3)", #"{"t": \#($0 * 5)}"#, properties: ["n": "\($0)", "quote\"": "a\\b"])
            })
            #expect(numbers == Array(repeating: 0, count: 10), "no position in the intake log")
            let hotEvents = try await events(database, endpoint: "hot", partitions: routing.currentTable.endpoints["hot"]?.effectivePartitionCount ?? 1)
            let fallback = try await events(database)
            #expect(hotEvents.count == 3, "t = 35, 40, 45")
            #expect(fallback.count == 7)
            let first = try #require(fallback.first { $0.record.properties["n"] == "0" })
            #expect(first.record.properties == ["n": "0", "quote\"": "a\\b"])
            #expect(first.record.systemProperties["iothub-connection-device-id"] == "dev-0")
            #expect(first.record.systemProperties["content-type"] == "application/json")
            #expect(try await database.telemetry(shard: "hub-1", after: 0, limit: 100).isEmpty)
            let metrics = routing.metricsSnapshot
            #expect(metrics.router.messagesRead == 10)
            #expect(metrics.endpoints["hot"]?.routed == 3)
            #expect(metrics.endpoints["events"]?.routed == 7)
        }
    }

    @Test("with a $twin condition, messages go through the intake log; the router routes them and removes them from it")
    func twinRoutingUsesTheRouter() async throws {
        try await withRoutingDatabase { database, _ in
            let routing = try await ShardRouting.open(shard: "hub-1", store: database, initial: RoutingConfiguration(
                routes: [RouteConfiguration(name: "tagged", condition: "$twin.tags.site = 'north'", endpointNames: ["events"])]))
            #expect(routing.currentTable.referencesTwin)
            let store = RoutedTelemetryStore(base: database, eventLog: database, routing: ["hub-1": routing]) { _ in }
            let numbers = try await store.appendTelemetry((0..<5).map { telemetry("dev-1", #"{"n": \#($0)}"#) })
            #expect(numbers.allSatisfy { $0 > 0 })
            #expect(try await database.telemetry(shard: "hub-1", after: 0, limit: 100).count == 5)
            let router = MessageRouter(routing: routing, telemetry: store, hubEvents: database, twins: database, batchSize: 100,
                                       now: { RoutingFixtures.enqueued }, logger: Logger(label: "test"))
            let (count, moved) = try await router.step(after: (0, 0))
            #expect(count == 5)
            #expect(moved.telemetry == numbers.last)
            #expect(try await database.telemetry(shard: "hub-1", after: 0, limit: 100).isEmpty, "routed telemetry leaves the intake log")
            #expect(try await database.cursor(shard: "hub-1", name: MessageRouter.telemetryCursor) == numbers.last)
        }
    }
}

@Suite("Unconditional routing")
struct UnconditionalRoutingTests {
    @Test("only the default shape routes without evaluating: fallback with a constant condition, no device-message route, no enrichment")
    func shapes() throws {
        #expect(RoutingTable.standard.unconditionalDeviceMessageEndpoints == ["events"])
        let conditional = try RoutingTable(RoutingConfiguration(
            routes: [RouteConfiguration(name: "hot", condition: "$body.t > 30", endpointNames: ["events"])]))
        #expect(conditional.unconditionalDeviceMessageEndpoints == nil)
        var fallbackOnly = RoutingConfiguration()
        fallbackOnly.fallbackRoute.condition = "$body.t > 30"
        #expect(try RoutingTable(fallbackOnly).unconditionalDeviceMessageEndpoints == nil)
        var disabled = RoutingConfiguration()
        disabled.fallbackRoute.isEnabled = false
        #expect(try RoutingTable(disabled).unconditionalDeviceMessageEndpoints == [], "nothing routes device messages")
    }
}
