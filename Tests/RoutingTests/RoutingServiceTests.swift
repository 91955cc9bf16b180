import Foundation
import Hub
import Logging
@testable import Routing
import Storage
import Testing

/// The whole service: routers and endpoint workers together, a webhook that never answers blocks nothing else.
@Suite("Routing service")
struct RoutingServiceTests {
    /// Hangs for `/slow` until cancelled; records and answers 200 otherwise.
    final class SplitTransport: WebhookTransport {
        let fast = RecordingWebhook()

        func post(url: URL, headers: [String: String], body: [UInt8], timeout: Duration, trustBundle: String?) async throws -> Int {
            if url.path == "/slow" {
                // A webhook that never answers (the transport's own timeout is what would end it in production).
                try await Task.sleep(for: .seconds(3600))
            }
            return try await fast.post(url: url, headers: headers, body: body, timeout: timeout, trustBundle: trustBundle)
        }
    }

    @Test("a webhook that never answers holds back neither intake, the built-in endpoint, nor another webhook")
    func slowWebhook() async throws {
        try await withRoutingDatabase { database, _ in
            func hook(_ name: String, _ path: String) -> RoutingEndpointConfiguration {
                var endpoint = RoutingEndpointConfiguration(name: name, type: .webhook)
                endpoint.url = "http://127.0.0.1:9\(path)"
                return endpoint
            }
            let routing = try await ShardRouting.open(shard: "hub-1", store: database, initial: RoutingConfiguration())
            let transport = SplitTransport()
            let service = RoutingService(
                shards: [routing],
                dependencies: .init(telemetry: database, hubEvents: database, twins: database, webhooks: transport),
                sleep: { _ in }, logger: Logger(label: "test"))
            let intake = RoutedTelemetryStore(base: database, eventLog: database, routing: [:]) { _ in routing.intake.notify() }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await service.runAll() }
                // Endpoints added while running get workers.
                try await routing.replace(RoutingConfiguration(
                    endpoints: [hook("slow", "/slow"), hook("fast", "/fast")],
                    routes: [RouteConfiguration(name: "all", endpointNames: ["slow", "fast", "events"])]))
                for index in 0..<40 {
                    _ = try await intake.appendTelemetry([telemetry("dev-\(index % 4)", #"{"n": \#(index)}"#)])
                }
                let delivered = await eventually(transport.fast.received) { transport.fast.requests.count >= 40 }
                #expect(delivered, "the other webhook got everything")
                var inBuiltIn = 0
                for partition in 0..<4 {
                    inBuiltIn += try await database.events(shard: "hub-1", endpoint: "events", partition: partition, from: 0, limit: 100).count
                }
                #expect(inBuiltIn == 40, "the built-in endpoint got everything")
                #expect(routing.metricsSnapshot.endpoints["slow"]?.delivered ?? 0 == 0)
                group.cancelAll()
            }
        }
    }
}
