import Foundation
import Hub
import Logging
import Provisioning
@testable import Routing
import Storage
import Testing

/// The router moves durable telemetry and hub events into endpoint logs after a stored cursor.
@Suite("Message router")
struct MessageRouterTests {
    private func router(_ routing: ShardRouting, _ database: ProvisioDatabase, batchSize: Int = 512) -> MessageRouter {
        MessageRouter(routing: routing, telemetry: database, hubEvents: database, twins: database, batchSize: batchSize,
                      now: { RoutingFixtures.enqueued }, logger: Logger(label: "test"))
    }

    private func drain(_ router: MessageRouter) async throws {
        var cursors: (telemetry: Int64, hub: Int64) = (
            try await router.routing.store.cursor(shard: router.routing.shard, name: MessageRouter.telemetryCursor) ?? 0,
            try await router.routing.store.cursor(shard: router.routing.shard, name: MessageRouter.hubEventCursor) ?? 0)
        while true {
            let (count, moved) = try await router.step(after: cursors)
            cursors = moved
            if count == 0 { return }
        }
    }

    private func bodies(_ database: ProvisioDatabase, endpoint: String = "events", partitions: Int = 4) async throws -> [String] {
        var all: [String] = []
        for partition in 0..<partitions {
            all += try await database.events(shard: "hub-1", endpoint: endpoint, partition: partition, from: 0, limit: 1000)
                .map { String(decoding: $0.record.body, as: UTF8.self) }
        }
        return all.sorted()
    }

    @Test("routes by condition, falls back for the rest, and keeps each device in one partition in order")
    func routesAndFallback() async throws {
        try await withRoutingDatabase { database, _ in
            var hot = RoutingEndpointConfiguration(name: "hot", type: .eventLog)
            hot.partitionCount = 2
            let routing = try await ShardRouting.open(shard: "hub-1", store: database, initial: RoutingConfiguration(
                endpoints: [hot], routes: [RouteConfiguration(name: "hot", condition: "$body.t > 30", endpointNames: ["hot"])]))
            _ = try await database.appendTelemetry((0..<20).map { telemetry("dev-\($0 % 3)", #"{"t": \#($0 * 3), "n": \#($0)}"#) })
            try await drain(router(routing, database, batchSize: 7))
            let hotBodies = try await bodies(database, endpoint: "hot", partitions: 2)
            let fallback = try await bodies(database)
            #expect(hotBodies.count == 9, "t = 33…57")
            #expect(fallback.count == 11)
            #expect(Set(hotBodies).isDisjoint(with: fallback))
            for device in 0..<3 {
                let partition = EventPartitioner.partition(deviceId: "dev-\(device)", count: 4)
                let events = try await database.events(shard: "hub-1", endpoint: "events", partition: partition, from: 0, limit: 100)
                    .filter { $0.record.deviceId == "dev-\(device)" }
                let numbers = try events.map { try JSONDecoder().decode([String: Int].self, from: Data($0.record.body))["n"]! }
                #expect(numbers == numbers.sorted(), "a device's events keep their order")
            }
        }
    }

    @Test("a new router resumes after the stored cursor: nothing is routed twice or skipped")
    func resumes() async throws {
        try await withRoutingDatabase { database, path in
            let routing = try await ShardRouting.open(shard: "hub-1", store: database, initial: RoutingConfiguration())
            _ = try await database.appendTelemetry((0..<5).map { telemetry("d", #"{"n": \#($0)}"#) })
            try await drain(router(routing, database))
            _ = try await database.appendTelemetry((5..<8).map { telemetry("d", #"{"n": \#($0)}"#) })
            let reopened = try ProvisioDatabase(path: path)
            let again = try await ShardRouting.open(shard: "hub-1", store: reopened, initial: RoutingConfiguration())
            try await drain(router(again, reopened))
            #expect(try await bodies(reopened).count == 8)
        }
    }

    @Test("hub events go only where a route for their source sends them; application-property and twin conditions")
    func sourcesAndTwin() async throws {
        try await withRoutingDatabase { database, _ in
            let registry = EventRecordingDeviceRegistry(base: database, events: database)
            var twin = DeviceTwin(etag: "e")
            twin.tags = ["site": .string("plant-7")]
            try await registry.save(shard: "hub-1", device: DeviceIdentity(deviceId: "d1", generationId: "g", etag: "e",
                                                                           authentication: AuthenticationMechanism(type: "sas"), now: "t"),
                                    twin: twin)
            let routing = try await ShardRouting.open(shard: "hub-1", store: database, initial: RoutingConfiguration(
                endpoints: [RoutingEndpointConfiguration(name: "plant", type: .eventLog), RoutingEndpointConfiguration(name: "alerts", type: .eventLog)],
                routes: [
                    RouteConfiguration(name: "lifecycle", source: .deviceLifecycleEvents, endpointNames: ["events"]),
                    RouteConfiguration(name: "plant", condition: "$twin.tags.site = 'plant-7'", endpointNames: ["plant"]),
                    RouteConfiguration(name: "alerts", condition: "level = 'critical'", endpointNames: ["alerts"]),
                ],
                enrichments: [EnrichmentConfiguration(key: "site", value: "$twin.tags.site", endpointNames: ["plant"])]))
            _ = try await database.appendTelemetry([
                telemetry("d1", #"{"n": 1}"#), telemetry("d2", #"{"n": 2}"#, properties: ["level": "critical"]),
            ])
            try await drain(router(routing, database))
            let lifecycle = try await database.events(shard: "hub-1", endpoint: "events",
                                                      partition: EventPartitioner.partition(deviceId: "d1", count: 4), from: 0, limit: 10)
            #expect(lifecycle.map { $0.record.properties["opType"] } == ["createDeviceIdentity"])
            #expect(lifecycle.first?.record.systemProperties["iothub-message-source"] == "deviceLifecycleEvents")
            let plant = try await database.events(shard: "hub-1", endpoint: "plant",
                                                  partition: EventPartitioner.partition(deviceId: "d1", count: 4), from: 0, limit: 10)
            #expect(plant.map(\.record.deviceId) == ["d1"])
            #expect(plant.first?.record.properties["site"] == "plant-7")
            #expect(try await bodies(database, endpoint: "alerts") == [#"{"n": 2}"#])
        }
    }
}
