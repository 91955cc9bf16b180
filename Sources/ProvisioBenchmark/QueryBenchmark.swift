import ArgumentParser
import Foundation
import Hub
import Provisioning
import Storage

/// `provisio-bench query`: `SELECT … COUNT() … GROUP BY` latency over a growing registry — the shard's query engine
/// over the SQLite store in this process (a fresh database in a temporary directory), so the figure is the query
/// itself without HTTP. Devices are written straight through the storage layer, then each size is queried
/// `--repeats` times; the report gives latency per size and its growth against the first size.
struct QueryBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "COUNT() … GROUP BY latency over 100,000 and 1,000,000 registry rows (in-process, SQLite store).")

    @Option(help: "Registry sizes to query, comma-separated and increasing.")
    var sizes = "100000,1000000"

    @Option(help: "Queries per size.")
    var repeats = 5

    @Option(help: "Directory for the temporary database (default: the system temporary directory).")
    var directory: String?

    static let query = "SELECT properties.reported.fw AS fw, COUNT() AS n FROM devices GROUP BY properties.reported.fw"

    func run() async throws {
        let counts = sizes.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !counts.isEmpty, counts.allSatisfy({ $0 > 0 }), counts == counts.sorted(), repeats > 0 else {
            throw ValidationError("sizes must be positive and increasing, repeats > 0")
        }
        let base = URL(fileURLWithPath: directory ?? NSTemporaryDirectory()).appendingPathComponent("provisio-query-bench-\(RunTag.make())")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: base) }
        let database = try ProvisioDatabase(path: base.appendingPathComponent("provisio.sqlite").path)
        let shardName = "bench"
        let shard = HubShard(name: shardName, hostName: "127.0.0.1", registry: database, cloudToDevice: database,
                             telemetry: TelemetryBatcher(store: database), notifier: OfflineDevices())
        // One device made the ordinary way gives a well-formed identity and twin to copy.
        _ = try await shard.createOrUpdateDevice(DeviceSpecification(deviceId: "template"), ifMatch: nil)
        guard let template = try await database.device(shard: shardName, deviceId: "template"),
              let templateTwin = try await database.twin(shard: shardName, deviceId: "template") else {
            throw BenchmarkError("the template device did not read back")
        }
        _ = try await database.delete(shard: shardName, deviceId: "template")

        var report = BenchmarkReport(benchmark: "query", parameters: ["sizes": sizes, "repeats": "\(repeats)", "query": Self.query])
        var inserted = 0
        var firstMedian: Double?
        for count in counts {
            progress("query: writing devices \(inserted)…\(count - 1) through the storage layer")
            let start = ContinuousClock.now
            while inserted < count {
                var identity = template
                identity.deviceId = String(format: "qb-%07d", inserted)
                var twin = templateTwin
                twin.reported = ["fw": .string("fw-\(inserted % 7)"), "temp": .number(Double(inserted % 50))]
                twin.tags = ["site": .string("site-\(inserted % 13)")]
                try await database.save(shard: shardName, device: identity, twin: twin)
                inserted += 1
            }
            let writing = ContinuousClock.now - start
            progress("query: \(count) rows written in \(writing); running the query \(repeats) times")
            var latencies: [Duration] = []
            var samples = LatencySamples()
            var groups = 0
            for _ in 0..<repeats {
                let began = ContinuousClock.now
                let page = try await shard.queryTwins(Self.query)
                latencies.append(ContinuousClock.now - began)
                samples.add(latencies[latencies.count - 1])
                groups = page.items.count
            }
            let counted = latencies.sorted()
            let median = counted[counted.count / 2]
            let medianSeconds = Double(median.components.seconds) + Double(median.components.attoseconds) / 1e18
            if firstMedian == nil { firstMedian = medianSeconds }
            let growth = firstMedian.map { medianSeconds / $0 } ?? 1
            report.rows.append(ResultRow(name: "GROUP BY over \(count) rows (\(groups) groups, growth ×\(String(format: "%.2f", growth)))",
                                         operations: repeats, failures: 0, elapsed: latencies.reduce(.zero, +), latencies: samples))
        }
        try report.emit()
    }

    /// Devices are never connected in this benchmark.
    private struct OfflineDevices: HubNotifier {
        func desiredPropertiesChanged(shard: String, deviceId: String, moduleId: String?, patch: JSONValue) async {}
        func cloudToDeviceQueued(shard: String, deviceId: String) async {}
        func invokeMethod(shard: String, deviceId: String, moduleId: String?, request: DirectMethodRequest) async throws -> DirectMethodResponse {
            throw HubError.deviceNotOnline(deviceId)
        }
        func disconnect(shard: String, deviceId: String) async {}
    }
}
