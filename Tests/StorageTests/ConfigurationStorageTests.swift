import Foundation
import Hub
import Provisioning
import Storage
import Testing

/// Automatic device configurations on a shard over the SQLite store: convergence of existing and new devices,
/// per-path priority (ties: the newest), counts and custom metrics, idempotent passes, durability across a reopen,
/// validation, and content applied to one device.
@Suite struct ConfigurationStorageTests {
    static func shard(_ database: ProvisioDatabase, clock: FeedbackLockTests.TestClock) -> HubShard {
        HubShard(name: "hub-1", hostName: "127.0.0.2", registry: database, cloudToDevice: database,
                 telemetry: TelemetryBatcher(store: database), notifier: FeedbackLockTests.UnreachableDevices(),
                 configurations: database, now: { clock.now })
    }

    /// `count` devices `dev-00`…, the even ones tagged `site: north`.
    static func addDevices(_ shard: HubShard, count: Int, from start: Int = 0) async throws {
        for index in start..<(start + count) {
            let id = String(format: "dev-%02d", index)
            _ = try await shard.createOrUpdateDevice(DeviceSpecification(deviceId: id), ifMatch: nil)
            if index % 2 == 0 {
                _ = try await shard.updateTwin(deviceId: id, patch: .object(["tags": .object(["site": .string("north")])]), ifMatch: nil)
            }
        }
    }

    static func specification(_ id: String, priority: Int, content: [String: JSONValue],
                              condition: String = "tags.site = 'north'", metrics: [String: String] = [:]) throws -> ConfigurationSpecification {
        try ConfigurationSpecification(id: id, document: .object([
            "id": .string(id), "schemaVersion": .string("1.0"), "labels": .object(["team": .string("ops")]),
            "content": .object(["deviceContent": .object(content)]), "targetCondition": .string(condition),
            "priority": .number(Double(priority)), "metrics": .object(["queries": .object(metrics.mapValues { .string($0) })]),
        ]))
    }

    static func desired(_ shard: HubShard, _ id: String) async throws -> JSONValue? {
        try await shard.serviceTwin(deviceId: id)["properties"]?["desired"]
    }

    static let everyDevice = ConfigurationWork.Batch(everyDevice: true, deviceIds: [])

    @Test("a configuration converges matching twins, loses paths to a higher priority, and counts targeted and applied")
    func convergesWithPriority() async throws {
        try await withTemporaryDatabase { database, _ in
            let clock = FeedbackLockTests.TestClock()
            let shard = Self.shard(database, clock: clock)
            try await Self.addDevices(shard, count: 10)
            _ = try await shard.createOrUpdateConfiguration(
                try Self.specification("base", priority: 10, content: ["properties.desired.fw": .string("1.0"), "properties.desired.mode": .string("eco")],
                                       metrics: ["onTwo": "SELECT deviceId FROM devices WHERE properties.desired.fw = '2.0'"]),
                ifMatch: nil)
            _ = try await shard.createOrUpdateConfiguration(
                try Self.specification("urgent", priority: 20, content: ["properties.desired.fw": .string("2.0")]), ifMatch: nil)
            try await shard.convergeConfigurations(Self.everyDevice)

            let north = try await Self.desired(shard, "dev-04")
            #expect(north?["fw"] == .string("2.0") && north?["mode"] == .string("eco"))
            #expect(try await Self.desired(shard, "dev-03")?["fw"] == nil, "a device outside the condition is untouched")

            let base = try await shard.configuration("base")
            #expect(base.systemMetricResults == ["targetedCount": 5, "appliedCount": 0], "it lost fw on every device")
            #expect(base.metricResults == ["onTwo": 5])
            let urgent = try await shard.configuration("urgent")
            #expect(urgent.systemMetricResults == ["targetedCount": 5, "appliedCount": 5])
            // The scheduled pass recorded the same counts.
            let listed = try await shard.configurationList(limit: nil)
            #expect(listed.map(\.id) == ["base", "urgent"])
            #expect(listed.first?.systemMetricResults == ["targetedCount": 5, "appliedCount": 0])

            // A second pass writes nothing: the twins hold what wins.
            let version = try await shard.serviceTwin(deviceId: "dev-04")["properties"]?["desired"]?["$version"]
            try await shard.convergeConfigurations(Self.everyDevice)
            #expect(try await shard.serviceTwin(deviceId: "dev-04")["properties"]?["desired"]?["$version"] == version)

            // Deleting the winner hands fw back to the lower priority.
            try await shard.deleteConfiguration("urgent", ifMatch: "*")
            try await shard.convergeConfigurations(Self.everyDevice)
            #expect(try await Self.desired(shard, "dev-04")?["fw"] == .string("1.0"))
            #expect(try await shard.configuration("base").systemMetricResults == ["targetedCount": 5, "appliedCount": 5])
        }
    }

    @Test("a new device and a device whose tags change are queued for convergence and converge")
    func newAndRetaggedDevices() async throws {
        try await withTemporaryDatabase { database, _ in
            let clock = FeedbackLockTests.TestClock()
            let shard = Self.shard(database, clock: clock)
            _ = try await shard.createOrUpdateConfiguration(
                try Self.specification("fw", priority: 1, content: ["properties.desired.fw": .string("3.1")]), ifMatch: nil)
            #expect(shard.configurationWork.take()?.everyDevice == true)
            try await Self.addDevices(shard, count: 2)
            _ = try await shard.updateTwin(deviceId: "dev-01", patch: .object(["tags": .object(["site": .string("north")])]), ifMatch: nil)
            let batch = try #require(shard.configurationWork.take())
            #expect(batch.deviceIds == ["dev-00", "dev-01"] && !batch.everyDevice)
            try await shard.convergeConfigurations(batch)
            #expect(try await Self.desired(shard, "dev-00")?["fw"] == .string("3.1"))
            #expect(try await Self.desired(shard, "dev-01")?["fw"] == .string("3.1"))
        }
    }

    @Test("of two configurations with the same priority the most recently created wins")
    func tieGoesToTheNewest() async throws {
        try await withTemporaryDatabase { database, _ in
            let clock = FeedbackLockTests.TestClock()
            let shard = Self.shard(database, clock: clock)
            try await Self.addDevices(shard, count: 1)
            _ = try await shard.createOrUpdateConfiguration(
                try Self.specification("zz-older", priority: 5, content: ["properties.desired.fw": .string("old")]), ifMatch: nil)
            clock.advance(1)
            _ = try await shard.createOrUpdateConfiguration(
                try Self.specification("aa-newer", priority: 5, content: ["properties.desired.fw": .string("new")]), ifMatch: nil)
            try await shard.convergeConfigurations(Self.everyDevice)
            #expect(try await Self.desired(shard, "dev-00")?["fw"] == .string("new"))
        }
    }

    @Test("configurations survive a reopen; updates need the etag and keep the content; conflicts and bad input are refused")
    func durableUpdatesAndValidation() async throws {
        try await withTemporaryDatabase { database, path in
            let clock = FeedbackLockTests.TestClock()
            let shard = Self.shard(database, clock: clock)
            let content: [String: JSONValue] = ["properties.desired.a.b": .number(1)]
            let created = try await shard.createOrUpdateConfiguration(try Self.specification("cfg", priority: 1, content: content), ifMatch: nil)
            await #expect(throws: HubError.self) {
                _ = try await shard.createOrUpdateConfiguration(try Self.specification("cfg", priority: 1, content: content), ifMatch: nil)
            }
            await #expect(throws: HubError.preconditionFailed("the etag does not match")) {
                _ = try await shard.createOrUpdateConfiguration(try Self.specification("cfg", priority: 2, content: content), ifMatch: "\"stale\"")
            }
            let changedContent = try Self.specification("cfg", priority: 2, content: ["properties.desired.a.b": .number(2)])
            await #expect(throws: HubError.self) { _ = try await shard.createOrUpdateConfiguration(changedContent, ifMatch: created.etag) }
            let updated = try await shard.createOrUpdateConfiguration(try Self.specification("cfg", priority: 7, content: content), ifMatch: created.etag)
            #expect(updated.priority == 7 && updated.created == created.created && updated.etag != created.etag)

            let reopened = Self.shard(try ProvisioDatabase(path: path), clock: clock)
            let stored = try await reopened.configuration("cfg")
            #expect(stored.priority == 7 && stored.deviceContent == content && stored.labels == ["team": "ops"])
            #expect(stored.document["content"]?["deviceContent"]?["properties.desired.a.b"] == .number(1))

            #expect(throws: HubError.self) { _ = try Self.specification("Upper", priority: 1, content: content) }
            #expect(throws: HubError.self) { _ = try Self.specification("cfg2", priority: 1, content: ["properties.reported.x": .number(1)]) }
            #expect(throws: HubError.self) { _ = try Self.specification("cfg2", priority: -1, content: content) }
            do {
                _ = try Self.specification("cfg2", priority: 1, content: content, condition: "tags.x = = 'y'")
                Issue.record("a malformed condition was accepted")
            } catch let error as HubError {
                #expect(error.status == 400 && error.message.contains("position 10"), "\(error.message)")
            }
            #expect(throws: HubError.self) {
                _ = try Self.specification("cfg2", priority: 1, content: content, condition: "FROM devices.modules WHERE tags.x = 'y'")
            }
            let (conditionError, metricErrors) = shard.testConfigurationQueries(
                targetCondition: "tags.x = 'y'", metricQueries: ["good": "SELECT deviceId FROM devices WHERE properties.reported.fw = '2.0'",
                                                              "bad": "SELECT deviceId FROM devices WHERE ("])
            #expect(conditionError.isEmpty && metricErrors.keys.sorted() == ["bad"])
            await #expect(throws: HubError.configurationNotFound("nope")) { _ = try await shard.configuration("nope") }
        }
    }

    @Test("applyConfigurationContent writes device content to one twin whatever its tags")
    func applyToOneDevice() async throws {
        try await withTemporaryDatabase { database, _ in
            let clock = FeedbackLockTests.TestClock()
            let shard = Self.shard(database, clock: clock)
            try await Self.addDevices(shard, count: 2)
            try await shard.applyConfigurationContent(deviceId: "dev-01", content: .object([
                "deviceContent": .object(["properties.desired.x.y": .string("z"), "properties.desired.n": .number(4)]),
            ]))
            let desired = try await Self.desired(shard, "dev-01")
            #expect(desired?["x"]?["y"] == .string("z") && desired?["n"] == .number(4))
            await #expect(throws: HubError.self) {
                try await shard.applyConfigurationContent(deviceId: "dev-01", content: .object(["deviceContent": .object(["tags.x": .number(1)])]))
            }
            await #expect(throws: HubError.deviceNotFound("ghost")) {
                try await shard.applyConfigurationContent(deviceId: "ghost", content: .object([:]))
            }
        }
    }
}
