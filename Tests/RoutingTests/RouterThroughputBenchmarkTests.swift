import Foundation
import Hub
import Logging
@testable import Routing
import Storage
import Testing

/// How fast the router drains a telemetry backlog into the built-in endpoint (SQLite, WAL, synchronous=FULL), for
/// Docs/benchmarks.md. `PROVISIO_ROUTER_BENCH_MESSAGES` sets the backlog (default 5 000).
@Suite("Router throughput benchmark")
struct RouterThroughputBenchmarkTests {
    @Test("router drain rate of a telemetry backlog, with the default table and with four routes")
    func drainRate() async throws {
        let count = Int(ProcessInfo.processInfo.environment["PROVISIO_ROUTER_BENCH_MESSAGES"] ?? "") ?? 5_000
        var lines: [String] = []
        for (label, configuration) in [
            ("fallback only", RoutingConfiguration()),
            ("4 routes + fallback", RoutingConfiguration(
                endpoints: [RoutingEndpointConfiguration(name: "hot", type: .eventLog)],
                routes: RoutingConditionBenchmarkTests.conditions.enumerated().map {
                    RouteConfiguration(name: "r\($0.offset)", condition: $0.element, endpointNames: ["hot"])
                })),
        ] {
            try await withRoutingDatabase { database, _ in
                var batch: [TelemetryMessage] = []
                for index in 0..<count {
                    batch.append(telemetry("dev-\(index % 50)", #"{"temperature": \#(index % 40), "weather": {"wind": 3}, "readings": [1, 2, 3]}"#))
                    if batch.count == 500 {
                        _ = try await database.appendTelemetry(batch)
                        batch.removeAll()
                    }
                }
                if !batch.isEmpty { _ = try await database.appendTelemetry(batch) }
                let routing = try await ShardRouting.open(shard: "hub-1", store: database, initial: configuration)
                let router = MessageRouter(routing: routing, telemetry: database, hubEvents: database, twins: database, batchSize: 512,
                                           now: { Date() }, logger: Logger(label: "bench"))
                var cursors: (telemetry: Int64, hub: Int64) = (0, 0)
                var routed = 0
                let elapsed = try await ContinuousClock().measure {
                    while true {
                        let (read, moved) = try await router.step(after: cursors)
                        cursors = moved
                        routed += read
                        if read == 0 { break }
                    }
                }
                #expect(routed == count)
                lines.append("  \(Int(Double(count) / elapsed.seconds)) messages/s  \(label)")
            }
        }
        print("router drain rate (\(count) messages, batches of 512):\n" + lines.joined(separator: "\n"))
    }
}
