import Foundation
import Hub
import Provisioning
import Storage
import Testing

/// The registry wrapper raises lifecycle and twin-change events in the same transaction as the write.
@Suite("Hub events")
struct HubEventRecordingTests {
    private static let identity = DeviceIdentity(deviceId: "Dev-1", generationId: "g", etag: "e",
                                                 authentication: AuthenticationMechanism(type: "sas"), now: "t")

    @Test("create, twin changes and delete raise IoT Hub-shaped events; identity-only updates raise none")
    func events() async throws {
        try await withRoutingDatabase { database, _ in
            let registry = EventRecordingDeviceRegistry(base: database, events: database, now: { RoutingFixtures.enqueued })
            var twin = DeviceTwin(etag: "e")
            try await registry.save(shard: "hub-1", device: Self.identity, twin: twin)
            try await registry.save(shard: "hub-1", device: Self.identity, twin: twin)
            twin.tags = ["site": .string("a")]
            twin.desired = ["rate": .number(5)]
            twin.desiredVersion = 2
            twin.version = 2
            try await registry.save(shard: "hub-1", device: Self.identity, twin: twin)
            twin.reported = ["fw": .string("2")]
            twin.tags = [:]
            try await registry.save(shard: "hub-1", device: Self.identity, twin: twin)
            #expect(try await registry.delete(shard: "hub-1", deviceId: "dev-1"))
            #expect(try await !registry.delete(shard: "hub-1", deviceId: "dev-1"))

            let events = try await database.hubEvents(shard: "hub-1", after: 0, limit: 10).map(\.message)
            #expect(events.map { $0.properties["opType"] } == ["createDeviceIdentity", "updateTwin", "updateTwin", "deleteDeviceIdentity"])
            #expect(events.map { $0.systemProperties["iothub-message-source"] } == [
                "deviceLifecycleEvents", "twinChangeEvents", "twinChangeEvents", "deviceLifecycleEvents",
            ])
            #expect(events.allSatisfy { $0.properties["hubName"] == "hub-1" && $0.systemProperties["content-type"] == "application/json" })
            let firstChange = try JSONDecoder().decode(JSONValue.self, from: Data(events[1].body))
            #expect(firstChange == .object([
                "version": .number(2), "tags": .object(["site": .string("a")]),
                "properties": .object(["desired": .object(["rate": .number(5), "$version": .number(2)])]),
            ]))
            let secondChange = try JSONDecoder().decode(JSONValue.self, from: Data(events[2].body))
            #expect(secondChange["tags"] == .object(["site": .null]))
            #expect(secondChange["properties"]?["reported"]?["fw"] == .string("2"))
            #expect(try await database.device(shard: "hub-1", deviceId: "dev-1") == nil)
        }
    }

    @Test("events of a source no route takes are not raised; the writes still happen")
    func unroutedSourcesRaiseNothing() async throws {
        try await withRoutingDatabase { database, _ in
            // Only twin changes are routed (as when a route listens to TwinChangeEvents and none to lifecycle events).
            let registry = EventRecordingDeviceRegistry(base: database, events: database, now: { RoutingFixtures.enqueued },
                                                        wants: { _, source in source == .twinChange })
            var twin = DeviceTwin(etag: "e")
            try await registry.save(shard: "hub-1", device: Self.identity, twin: twin)
            twin.tags = ["site": .string("a")]
            twin.version = 2
            try await registry.save(shard: "hub-1", device: Self.identity, twin: twin)
            #expect(try await database.twin(shard: "hub-1", deviceId: "dev-1")?.tags == ["site": .string("a")])
            #expect(try await registry.delete(shard: "hub-1", deviceId: "dev-1"))
            #expect(try await database.device(shard: "hub-1", deviceId: "dev-1") == nil)

            let events = try await database.hubEvents(shard: "hub-1", after: 0, limit: 10).map(\.message)
            #expect(events.map { $0.properties["opType"] } == ["updateTwin"])
        }
    }

    @Test("connection changes are queued and stored by the recorder")
    func connections() async throws {
        try await withRoutingDatabase { database, _ in
            let recorder = ConnectionEventRecorder(store: database)
            recorder.connectionChanged(shard: "hub-1", deviceId: "d", moduleId: nil, connected: true)
            recorder.connectionChanged(shard: "hub-1", deviceId: "d", moduleId: "m", connected: false)
            recorder.finish()
            await recorder.run()
            let events = try await database.hubEvents(shard: "hub-1", after: 0, limit: 10).map(\.message)
            #expect(events.map { $0.properties["opType"] } == ["deviceConnected", "deviceDisconnected"])
            #expect(events[1].moduleId == "m")
            let first = try JSONDecoder().decode([String: String].self, from: Data(events[0].body))["sequenceNumber"]
            let second = try JSONDecoder().decode([String: String].self, from: Data(events[1].body))["sequenceNumber"]
            #expect(first! < second!)
        }
    }
}
