import Foundation
import Routing
import Testing

/// Condition evaluations per second on one core, for Docs/benchmarks.md. `PROVISIO_ROUTING_BENCH_EVALUATIONS`
/// sets the evaluations per condition (default 20 000, enough to check it runs; use 1 000 000 for figures).
@Suite("Routing condition benchmark")
struct RoutingConditionBenchmarkTests {
    static let conditions = [
        "$body.temperature > 30",
        "processingPath = 'hot' AND $connectionDeviceId != 'x'",
        "$twin.tags.location.region = 'US' AND $twin.properties.reported.battery.level < 90",
        "STARTS_WITH(LOWER($messageId), 'mid') AND (IS_DEFINED($body.weather.wind) OR $body.readings[2] * 2 >= 6)",
    ]

    @Test("evaluations per second of typical conditions, and whole-table routing per message")
    func evaluationsPerSecond() throws {
        let count = Int(ProcessInfo.processInfo.environment["PROVISIO_ROUTING_BENCH_EVALUATIONS"] ?? "") ?? 20_000
        let message = RoutingFixtures.message(properties: ["processingPath": "hot"])
        let twin = RoutingFixtures.twin
        var lines: [String] = []
        for text in Self.conditions {
            let condition = try RoutingCondition(text)
            var matched = 0
            let elapsed = ContinuousClock().measure {
                // A fresh message value per evaluation: the body is parsed each time, as it is for each routed message.
                for _ in 0..<count where condition.matches(message, twin: twin) { matched += 1 }
            }
            #expect(matched == count)
            lines.append("  \(Int(Double(count) / elapsed.seconds)) evaluations/s  \(text)")
        }
        let table = try RoutingTable(RoutingConfiguration(
            endpoints: [RoutingEndpointConfiguration(name: "a", type: .eventLog), RoutingEndpointConfiguration(name: "b", type: .eventLog)],
            routes: Self.conditions.enumerated().map { RouteConfiguration(name: "r\($0.offset)", condition: $0.element, endpointNames: [$0.offset % 2 == 0 ? "a" : "b"]) },
            enrichments: [EnrichmentConfiguration(key: "region", value: "$twin.tags.location.region", endpointNames: ["a"])]))
        let elapsed = ContinuousClock().measure {
            for _ in 0..<count { _ = table.deliveries(for: message, twin: twin, hubName: "hub-1") }
        }
        lines.append("  \(Int(Double(count) / elapsed.seconds)) messages/s through a table of \(Self.conditions.count) routes + 1 enrichment")
        print("routing condition benchmark (\(count) each):\n" + lines.joined(separator: "\n"))
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
