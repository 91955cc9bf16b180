import Foundation
import Testing

/// What `python/routing_bench.py` prints.
struct RoutingBenchmarkReport: Decodable, Sendable, CustomStringConvertible {
    struct Latency: Decodable, Sendable {
        var p50: Double?
        var p95: Double?
        var p99: Double?
        var max: Double?
    }

    var devices: Int
    var messages: Int
    var acked: Int
    var visible: Int
    var intakePerSecond: Double
    var endToEndPerSecond: Double
    var routingLatencyMs: Latency
    var endToEndLatencyMs: Latency
    var pacedMessages: Int
    var pacedRoutingLatencyMs: Latency
    var pacedEndToEndLatencyMs: Latency

    var description: String {
        """
        routing benchmark: \(devices) devices × \(messages / max(devices, 1)) messages; acked \(acked), visible \(visible)
          intake \(intakePerSecond) msg/s, telemetry → built-in endpoint \(endToEndPerSecond) msg/s
          routing latency (hub accepted → in endpoint) ms: p50 \(routingLatencyMs.p50 ?? -1) p95 \(routingLatencyMs.p95 ?? -1) \
        p99 \(routingLatencyMs.p99 ?? -1) max \(routingLatencyMs.max ?? -1)
          end-to-end latency (device publish → long-poll reader) ms: p50 \(endToEndLatencyMs.p50 ?? -1) \
        p95 \(endToEndLatencyMs.p95 ?? -1) p99 \(endToEndLatencyMs.p99 ?? -1) max \(endToEndLatencyMs.max ?? -1)
          paced (\(pacedMessages) messages, 20 ms apart) routing ms: p50 \(pacedRoutingLatencyMs.p50 ?? -1) \
        p95 \(pacedRoutingLatencyMs.p95 ?? -1); end-to-end ms: p50 \(pacedEndToEndLatencyMs.p50 ?? -1) \
        p95 \(pacedEndToEndLatencyMs.p95 ?? -1) p99 \(pacedEndToEndLatencyMs.p99 ?? -1)
        """
    }
}

/// Telemetry → built-in endpoint throughput and latency on the real server with paho devices and a long-polling
/// reader. Small by default; `PROVISIO_ROUTING_BENCH="DEVICES MESSAGES"` sizes it (figures go to Docs/benchmarks.md).
@Suite("Routing benchmark", .timeLimit(.minutes(10)))
struct RoutingBenchmarkTests {
    @Test("telemetry reaches the built-in endpoint; throughput and latency are reported")
    func throughputAndLatency() async throws {
        let size = (ProcessInfo.processInfo.environment["PROVISIO_ROUTING_BENCH"] ?? "4 250").split(separator: " ").compactMap { Int($0) }
        let devices = size.first ?? 4
        let messages = size.count > 1 ? size[1] : 250
        let server = try await ServerProcess.start()
        let report = try await PythonRunner.run(
            "routing_bench.py", [server.dataFile("connection.json").path, String(devices), String(messages)],
            as: RoutingBenchmarkReport.self, timeout: .seconds(480))
        print(report)
        #expect(report.acked == devices * messages)
        #expect(report.visible == devices * messages, "every PUBACKed message reaches the built-in endpoint")
        #expect(report.pacedMessages == 200)
        #expect(try await server.stop() == .exited(0))
    }
}
