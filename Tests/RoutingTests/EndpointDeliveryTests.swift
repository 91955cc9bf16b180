import Foundation
import Logging
import Provisioning
@testable import Routing
import Storage
import Synchronization
import Testing

/// Webhook and storage endpoints deliver what routing appended: in order per partition, with retries, back-off and
/// dead letters; storage files batched by size or age.
@Suite("Endpoint delivery")
struct EndpointDeliveryTests {
    private static func webhook(maxAttempts: Int = 5, batchSize: Int? = nil) -> RoutingEndpointConfiguration {
        var endpoint = RoutingEndpointConfiguration(name: "hook", type: .webhook)
        endpoint.url = "https://127.0.0.1:9/hook?x=1"
        endpoint.headers = ["Authorization": "Bearer t"]
        endpoint.maxAttempts = maxAttempts
        endpoint.partitionCount = 1
        endpoint.batchSize = batchSize
        endpoint.retryInitialSeconds = 0.5
        endpoint.retryMaximumSeconds = 2
        return endpoint
    }

    private static func append(_ routing: ShardRouting, endpoint: String, count: Int, from start: Int = 0) async throws {
        let appends = (start..<(start + count)).map { index in
            EventAppend(endpoint: endpoint, partition: 0, record: EventRecord(
                deviceId: "d", body: Array(#"{"n": \#(index)}"#.utf8), properties: [:],
                systemProperties: ["content-type": "application/json", "content-encoding": "utf-8"]))
        }
        try await routing.store.commitRouting(shard: routing.shard, appends: appends, cursors: [:], enqueuedTime: RoutingFixtures.enqueued)
        routing.appended.notify()
    }

    /// Runs `delivery` in the background for the duration of `body`.
    private static func running(_ work: @escaping @Sendable () async -> Void, _ body: () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await work() }
            try await body()
            group.cancelAll()
        }
    }

    @Test("a webhook that fails for a while receives every event, in order, once it recovers")
    func retriesInOrder() async throws {
        try await withRoutingDatabase { database, _ in
            let endpoint = Self.webhook(maxAttempts: 10)
            let routing = try await ShardRouting.open(shard: "hub-1", store: database, initial: RoutingConfiguration(endpoints: [endpoint]))
            let transport = RecordingWebhook(failFirst: [500, 503, -1, 500])
            let delays = Mutex<[Duration]>([])
            let delivery = WebhookDelivery(routing: routing, endpoint: endpoint, partition: 0, transport: transport,
                                           sleep: { delay in delays.withLock { $0.append(delay) } }, now: { Date() }, logger: Logger(label: "t"))
            try await Self.append(routing, endpoint: "hook", count: 5)
            try await Self.running({ await delivery.run() }) {
                // Event-driven; the long deadline only matters when the whole suite starves this test of threads.
                let done = await eventually(transport.received, timeout: .seconds(120)) {
                    let cursor = try? await database.cursor(shard: "hub-1", name: "deliver:hook:0")
                    return transport.requests.count >= 9 && cursor == 4 && routing.metricsSnapshot.endpoints["hook"]?.delivered == 5
                }
                #expect(done)
            }
            let requests = transport.requests
            #expect(requests.count == 9, "4 failures then 5 deliveries")
            let delivered = try requests.suffix(5).map { try JSONDecoder().decode(EventDocument.self, from: Data($0.body)).body["n"] }
            #expect(delivered == (0..<5).map { JSONValue.number(Double($0)) })
            #expect(delays.withLock { $0 } == [.milliseconds(500), .seconds(1), .seconds(2), .seconds(2)], "exponential, capped")
            #expect(requests[0].headers["Authorization"] == "Bearer t")
            #expect(requests[0].headers["Content-Type"] == "application/json")
            #expect(requests[0].url.query == "x=1")
            #expect(try await database.cursor(shard: "hub-1", name: "deliver:hook:0") == 4)
            let metrics = routing.metricsSnapshot.endpoints["hook"]
            #expect(metrics?.delivered == 5 && metrics?.failedAttempts == 4 && metrics?.deadLettered == 0)
        }
    }

    @Test("after maxAttempts the events are dead-lettered and delivery moves on")
    func deadLetters() async throws {
        try await withRoutingDatabase { database, _ in
            let endpoint = Self.webhook(maxAttempts: 3)
            let routing = try await ShardRouting.open(shard: "hub-1", store: database, initial: RoutingConfiguration(endpoints: [endpoint]))
            let transport = RecordingWebhook(failFirst: [500, 500, 500])
            let delivery = WebhookDelivery(routing: routing, endpoint: endpoint, partition: 0, transport: transport, sleep: { _ in },
                                           now: { Date() }, logger: Logger(label: "t"))
            try await Self.append(routing, endpoint: "hook", count: 2)
            try await Self.running({ await delivery.run() }) {
                #expect(await eventually(transport.received) {
                    let cursor = try? await database.cursor(shard: "hub-1", name: "deliver:hook:0")
                    return transport.requests.count >= 4 && cursor == 1 && routing.metricsSnapshot.endpoints["hook"]?.delivered == 1
                })
            }
            #expect(try await database.deadLetterCount(shard: "hub-1", endpoint: "hook") == 1)
            let letter = try #require(try await database.deadLetters(shard: "hub-1", endpoint: "hook", limit: 5).first)
            #expect(letter.attempts == 3 && letter.reason == "HTTP 500" && letter.event.sequenceNumber == 0)
            #expect(routing.metricsSnapshot.endpoints["hook"]?.deadLettered == 1)
            let last = try JSONDecoder().decode(EventDocument.self, from: Data(transport.requests[3].body))
            #expect(last.sequenceNumber == 1)
        }
    }

    @Test("batched webhooks post JSON arrays")
    func batches() async throws {
        try await withRoutingDatabase { database, _ in
            let endpoint = Self.webhook(batchSize: 3)
            let routing = try await ShardRouting.open(shard: "hub-1", store: database, initial: RoutingConfiguration(endpoints: [endpoint]))
            let transport = RecordingWebhook()
            let delivery = WebhookDelivery(routing: routing, endpoint: endpoint, partition: 0, transport: transport, sleep: { _ in },
                                           now: { Date() }, logger: Logger(label: "t"))
            try await Self.append(routing, endpoint: "hook", count: 7)
            try await Self.running({ await delivery.run() }) {
                #expect(await eventually(transport.received) {
                    let cursor = try? await database.cursor(shard: "hub-1", name: "deliver:hook:0")
                    return (try? transport.documents().count) == 7 && cursor == 6
                })
            }
            #expect(transport.requests.map { $0.body.first } == [UInt8(ascii: "["), UInt8(ascii: "["), UInt8(ascii: "[")])
            #expect(try transport.documents().map(\.sequenceNumber) == Array(0..<7))
        }
    }

    @Test("storage files follow IoT Hub's naming, hold JSON lines, and are written by size or by age")
    func storage() async throws {
        try await withRoutingDatabase { database, _ in
            try await withTemporaryDirectory { directory in
                var endpoint = RoutingEndpointConfiguration(name: "archive", type: .storage)
                endpoint.directory = directory.path
                endpoint.partitionCount = 1
                endpoint.batchSeconds = 60
                endpoint.batchBytes = 10_000
                let routing = try await ShardRouting.open(shard: "hub-1", store: database, initial: RoutingConfiguration(endpoints: [endpoint]))
                let clock = TestClock(RoutingFixtures.enqueued.addingTimeInterval(5))
                let writer = StorageEndpointWriter(routing: routing, endpoint: endpoint, partition: 0, sleep: { _ in }, now: { clock.now },
                                                   logger: Logger(label: "t"))
                #expect(StorageEndpointWriter.file(directory: "/d", hub: "hub-1", partition: 2, time: Date(timeIntervalSince1970: 1_700_000_000)).path
                        == "/d/hub-1/2/2023/11/14/22/13")
                try await Self.append(routing, endpoint: "archive", count: 3)
                let written = WakeSignal()
                try await Self.running({ await writer.run() }) {
                    // Young and small: nothing is written yet.
                    let early = try await database.cursor(shard: "hub-1", name: "deliver:archive:0")
                    #expect(early == nil)
                    clock.advance(60)
                    routing.appended.notify()
                    let flushed = await eventually(written, timeout: .seconds(10)) {
                        written.notify()
                        return (try? await database.cursor(shard: "hub-1", name: "deliver:archive:0")) == 2
                    }
                    #expect(flushed, "written once the oldest event is batchSeconds old")
                }
                let file = StorageEndpointWriter.file(directory: directory.path, hub: "hub-1", partition: 0, time: clock.now)
                let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
                #expect(lines.count == 3)
                let documents = try lines.map { try JSONDecoder().decode(EventDocument.self, from: Data($0.utf8)) }
                #expect(documents.map(\.sequenceNumber) == [0, 1, 2])
                #expect(documents[0].bodyEncoding == "json")
            }
        }
    }
}
