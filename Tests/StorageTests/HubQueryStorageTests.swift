import Foundation
import Hub
import Provisioning
import Storage
import Testing

/// The IoT Hub query language over a shard on the SQLite store: projections, COUNT() with GROUP BY, ORDER BY with
/// paging, TOP, IN/NIN, functions, module twins, device jobs and continuation tokens.
@Suite struct HubQueryStorageTests {
    static func shard(_ database: ProvisioDatabase) -> HubShard {
        HubShard(name: "hub-1", hostName: "127.0.0.2", registry: database, cloudToDevice: database,
                 telemetry: TelemetryBatcher(store: database), notifier: FeedbackLockTests.UnreachableDevices(),
                 modules: database, jobs: database)
    }

    /// Devices `q-00`…`q-11`: site north for even indexes else south; reported fw "1.0" (index % 3 == 0), "2.0"
    /// (== 1) or none; reported `temp` = index; module `m` on the first three.
    static func populate(_ shard: HubShard) async throws {
        for index in 0..<12 {
            let id = String(format: "q-%02d", index)
            _ = try await shard.createOrUpdateDevice(DeviceSpecification(deviceId: id), ifMatch: nil)
            _ = try await shard.updateTwin(deviceId: id, patch: .object(["tags": .object([
                "site": .string(index % 2 == 0 ? "north" : "south"), "labels": .array([.string("l\(index % 4)")]),
            ])]), ifMatch: nil)
            var reported: [String: JSONValue] = ["temp": .number(Double(index))]
            if index % 3 == 0 { reported["fw"] = .string("1.0") }
            if index % 3 == 1 { reported["fw"] = .string("2.0") }
            _ = try await shard.patchReportedProperties(deviceId: id, patch: .object(reported))
            if index < 3 {
                _ = try await shard.createOrUpdateModule(DeviceSpecification(deviceId: id), moduleId: "m", ifMatch: nil)
                _ = try await shard.patchReportedProperties(deviceId: id, moduleId: "m", patch: .object(["level": .number(Double(index))]))
            }
        }
    }

    static func all(_ shard: HubShard, _ query: String, pageSize: Int = 100) async throws -> (rows: [JSONValue], pages: Int) {
        var rows: [JSONValue] = []
        var token: String?
        var pages = 0
        repeat {
            let page = try await shard.queryTwins(query, pageSize: pageSize, continuationToken: token)
            rows += page.items
            token = page.continuationToken
            pages += 1
        } while token != nil && pages < 100
        return (rows, pages)
    }

    @Test("COUNT() with GROUP BY answers one object per group, an undefined key its own group without the member")
    func countGroupBy() async throws {
        try await withTemporaryDatabase { database, _ in
            let shard = Self.shard(database)
            try await Self.populate(shard)
            let grouped = try await Self.all(shard, "SELECT properties.reported.fw AS fw, COUNT() AS n FROM devices GROUP BY properties.reported.fw")
            #expect(grouped.rows == [
                .object(["n": .number(4)]),
                .object(["fw": .string("1.0"), "n": .number(4)]),
                .object(["fw": .string("2.0"), "n": .number(4)]),
            ])
            let total = try await Self.all(shard, "SELECT COUNT() AS numberOfDevices FROM devices WHERE tags.site = 'north'")
            #expect(total.rows == [.object(["numberOfDevices": .number(6)])])
            let none = try await Self.all(shard, "SELECT COUNT() FROM devices WHERE tags.site = 'east'")
            #expect(none.rows == [.object(["$1": .number(0)])])
            let twoKeys = try await Self.all(shard, "SELECT tags.site, properties.reported.fw, COUNT() AS n FROM devices "
                                             + "WHERE IS_DEFINED(properties.reported.fw) GROUP BY tags.site, properties.reported.fw", pageSize: 2)
            #expect(twoKeys.pages == 2)
            #expect(twoKeys.rows.map { [$0["site"], $0["fw"], $0["n"]] } == [
                [.string("north"), .string("1.0"), .number(2)], [.string("north"), .string("2.0"), .number(2)],
                [.string("south"), .string("1.0"), .number(2)], [.string("south"), .string("2.0"), .number(2)],
            ])
        }
    }

    @Test("projections with aliases, ORDER BY DESC over pages, TOP, IN/NIN and the functions")
    func projectionsOrderTopAndFunctions() async throws {
        try await withTemporaryDatabase { database, _ in
            let shard = Self.shard(database)
            try await Self.populate(shard)
            let ordered = try await Self.all(shard, "SELECT deviceId, properties.reported.temp AS t FROM devices ORDER BY properties.reported.temp DESC", pageSize: 5)
            #expect(ordered.pages == 3)
            #expect(ordered.rows.map { $0["t"] } == (0..<12).reversed().map { .number(Double($0)) })
            #expect(ordered.rows.first == .object(["deviceId": .string("q-11"), "t": .number(11)]))
            let top = try await Self.all(shard, "SELECT TOP 3 deviceId FROM devices WHERE tags.site = 'south' ORDER BY deviceId", pageSize: 2)
            #expect(top.rows == ["q-01", "q-03", "q-05"].map { .object(["deviceId": .string($0)]) })
            func ids(_ condition: String) async throws -> [String] {
                try await Self.all(shard, "SELECT deviceId FROM devices WHERE " + condition).rows.compactMap { if case .string(let id) = $0["deviceId"] { id } else { nil } }
            }
            #expect(try await ids("deviceId IN ['q-01', 'q-02', 'nope']") == ["q-01", "q-02"])
            #expect(try await ids("properties.reported.temp NIN [0, 1, 2, 3, 4, 5, 6, 7, 8]") == ["q-09", "q-10", "q-11"])
            #expect(try await ids("properties.reported.fw NIN ['1.0', '2.0']") == [], "undefined is neither in nor out")
            #expect(try await ids("NOT IS_DEFINED(properties.reported.fw) AND IS_NUMBER(properties.reported.temp) AND properties.reported.temp < 6") == ["q-02", "q-05"])
            #expect(try await ids("IS_STRING(properties.reported.fw) AND ENDSWITH(properties.reported.fw, '2.0') AND STARTSWITH(deviceId, 'q-1')") == ["q-10"])
            #expect(try await ids("ARRAY_CONTAINS(tags.labels, 'l3') AND IS_ARRAY(tags.labels) AND IS_OBJECT(tags) AND IS_PRIMITIVE(deviceId)") == ["q-03", "q-07", "q-11"])
            #expect(try await ids("IS_NULL(properties.reported.fw) OR IS_BOOL(tags.site)") == [])
        }
    }

    @Test("FROM devices.modules reads module twins; FROM devices.jobs reads device jobs")
    func modulesAndJobs() async throws {
        try await withTemporaryDatabase { database, _ in
            let shard = Self.shard(database)
            try await Self.populate(shard)
            let modules = try await Self.all(shard, "SELECT * FROM devices.modules WHERE properties.reported.level >= 1")
            #expect(modules.rows.map { [$0["deviceId"], $0["moduleId"]] } == [[.string("q-01"), .string("m")], [.string("q-02"), .string("m")]])
            let count = try await Self.all(shard, "SELECT COUNT() AS n FROM devices.modules")
            #expect(count.rows == [.object(["n": .number(3)])])
            let jobs = try await Self.all(shard, "SELECT * FROM devices.jobs")
            #expect(jobs.rows.isEmpty)
        }
    }

    @Test("a continuation token of one query form is refused by the other, and forged tokens are 400")
    func continuationTokens() async throws {
        try await withTemporaryDatabase { database, _ in
            let shard = Self.shard(database)
            try await Self.populate(shard)
            let streamed = try await shard.queryTwins("SELECT deviceId FROM devices", pageSize: 5)
            #expect(streamed.items.count == 5)
            let sorted = try await shard.queryTwins("SELECT deviceId FROM devices ORDER BY deviceId DESC", pageSize: 5)
            let streamedToken = try #require(streamed.continuationToken)
            let sortedToken = try #require(sorted.continuationToken)
            let next = try await shard.queryTwins("SELECT deviceId FROM devices", pageSize: 5, continuationToken: streamedToken)
            #expect(next.items.first == .object(["deviceId": .string("q-05")]))
            for (query, token) in [("SELECT deviceId FROM devices", sortedToken), ("SELECT deviceId FROM devices ORDER BY deviceId", streamedToken),
                                   ("SELECT * FROM devices ORDER BY deviceId", "!!notbase64")] {
                await #expect(throws: HubError.self) { try await shard.queryTwins(query, continuationToken: token) }
            }
        }
    }

    @Test("unsupported forms are 400 with the position")
    func unsupportedForms() async throws {
        try await withTemporaryDatabase { database, _ in
            let shard = Self.shard(database)
            for (query, needle) in [("SELECT * FROM devices GROUP BY tags.site", "position 23"),
                                    ("SELECT deviceId, COUNT() FROM devices GROUP BY tags.site", "not in the GROUP BY list"),
                                    ("SELECT COUNT() FROM devices GROUP BY tags.x ORDER BY tags.x", "ORDER BY is not supported"),
                                    ("SELECT * FROM devices WHERE LOWER(deviceId) = 'a'", "position 29"),
                                    ("SELECT TOP 0 * FROM devices", "TOP takes")] {
                do {
                    _ = try await shard.queryTwins(query)
                    Issue.record("\(query) was accepted")
                } catch let error as HubError {
                    #expect(error.status == 400 && error.message.contains(needle), "\(query): \(error.message)")
                }
            }
        }
    }
}
