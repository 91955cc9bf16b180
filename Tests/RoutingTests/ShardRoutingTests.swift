import Foundation
import Provisioning
@testable import Routing
import Storage
import Testing

/// The events API over the logs: reads from checkpoints, long polls, validation, and routing replacement.
@Suite("Shard routing API")
struct ShardRoutingTests {
    private static func append(_ routing: ShardRouting, partition: Int, count: Int) async throws {
        let appends = (0..<count).map { index in
            EventAppend(endpoint: "events", partition: partition, record: EventRecord(deviceId: "d", body: Array("e\(index)".utf8),
                                                                                        properties: [:], systemProperties: [:]))
        }
        try await routing.store.commitRouting(shard: routing.shard, appends: appends, cursors: [:], enqueuedTime: Date())
        routing.appended.notify()
    }

    @Test("reads start after the consumer group's checkpoint unless a sequence number is given")
    func checkpoints() async throws {
        try await withRoutingDatabase { database, _ in
            let routing = try await ShardRouting.open(shard: "h", store: database, initial: RoutingConfiguration())
            try await Self.append(routing, partition: 1, count: 5)
            var events = try await routing.read(endpoint: "events", partition: 1, consumerGroup: "$Default", fromSequenceNumber: nil,
                                                maxCount: 2, wait: .zero)
            #expect(events.map(\.sequenceNumber) == [0, 1])
            try await routing.setCheckpoint(endpoint: "events", consumerGroup: "$Default", partition: 1, sequenceNumber: 1)
            #expect(try await routing.checkpoint(endpoint: "events", consumerGroup: "$Default", partition: 1) == 1)
            events = try await routing.read(endpoint: "events", partition: 1, consumerGroup: "$Default", fromSequenceNumber: nil,
                                            maxCount: 100, wait: .zero)
            #expect(events.map(\.sequenceNumber) == [2, 3, 4])
            events = try await routing.read(endpoint: "events", partition: 1, consumerGroup: "$Default", fromSequenceNumber: 4,
                                            maxCount: 100, wait: .zero)
            #expect(events.map(\.sequenceNumber) == [4])
            events = try await routing.read(endpoint: "events", partition: 1, consumerGroup: "analytics", fromSequenceNumber: nil,
                                            maxCount: 100, wait: .zero)
            #expect(events.count == 5, "another consumer group has its own checkpoints")
            await #expect(throws: RoutingError.self) {
                try await routing.checkpoint(endpoint: "events", consumerGroup: "analytics", partition: 1)
            }
        }
    }

    @Test("a long poll returns as soon as routing appends")
    func longPoll() async throws {
        try await withRoutingDatabase { database, _ in
            let routing = try await ShardRouting.open(shard: "h", store: database, initial: RoutingConfiguration())
            let started = ContinuousClock.now
            async let events = routing.read(endpoint: "events", partition: 0, consumerGroup: "$Default", fromSequenceNumber: nil,
                                            maxCount: 10, wait: .seconds(300))
            try await Self.append(routing, partition: 0, count: 1)
            #expect(try await events.count == 1)
            // Far below the wait: a missed wake-up would take the whole 300 s; a loaded two-core suite can take tens.
            #expect(started.duration(to: .now) < .seconds(150))
            let empty = try await routing.read(endpoint: "events", partition: 0, consumerGroup: "$Default", fromSequenceNumber: 1,
                                               maxCount: 10, wait: .milliseconds(50))
            #expect(empty.isEmpty)
        }
    }

    @Test("unknown endpoints, partitions and bad consumer groups are errors")
    func validation() async throws {
        try await withRoutingDatabase { database, _ in
            let routing = try await ShardRouting.open(shard: "h", store: database, initial: RoutingConfiguration())
            await #expect(throws: RoutingError.self) { try await routing.partitions(endpoint: "nope") }
            await #expect(throws: RoutingError.self) {
                try await routing.read(endpoint: "events", partition: 4, consumerGroup: "$Default", fromSequenceNumber: nil, maxCount: 1, wait: .zero)
            }
            await #expect(throws: RoutingError.self) {
                try await routing.setCheckpoint(endpoint: "events", consumerGroup: "bad group!", partition: 0, sequenceNumber: 1)
            }
        }
    }

    @Test("replace validates, stores and applies; an invalid configuration changes nothing")
    func replace() async throws {
        try await withRoutingDatabase { database, path in
            let routing = try await ShardRouting.open(shard: "h", store: database, initial: RoutingConfiguration())
            let bad = RoutingConfiguration(routes: [RouteConfiguration(name: "r", condition: "$body.x >", endpointNames: ["events"])])
            do {
                try await routing.replace(bad)
                Issue.record("accepted")
            } catch let error as RoutingError {
                guard case .invalidConfiguration(let details) = error.code else { Issue.record("wrong code"); return }
                #expect(details.position == 10)
            }
            #expect(routing.configuration == RoutingConfiguration().normalized)
            let good = RoutingConfiguration(endpoints: [RoutingEndpointConfiguration(name: "log2", type: .eventLog)],
                                            routes: [RouteConfiguration(name: "r", condition: "$body.x > 1", endpointNames: ["log2"])])
            try await routing.replace(good)
            #expect(try await routing.partitions(endpoint: "log2").count == 4)
            let reopened = try await ShardRouting.open(shard: "h", store: try ProvisioDatabase(path: path), initial: RoutingConfiguration())
            #expect(reopened.configuration == good.normalized, "the stored routing wins over the policy file at start")
        }
    }

    @Test("event documents decode JSON bodies, keep text, and base64 the rest")
    func documents() {
        func document(_ body: [UInt8], _ system: [String: String]) -> EventDocument {
            EventDocument(StoredEvent(partition: 2, sequenceNumber: 9, enqueuedTime: Date(timeIntervalSince1970: 0),
                                      record: EventRecord(deviceId: "d", body: body, properties: ["a": "b"], systemProperties: system)))
        }
        let json = document(Array(#"{"t": 1}"#.utf8), ["content-type": "application/json", "content-encoding": "utf-8"])
        #expect(json.body == .object(["t": .number(1)]) && json.bodyEncoding == "json" && json.partitionId == "2")
        #expect(json.enqueuedTimeUtc == "1970-01-01T00:00:00.0000000Z")
        let utf16 = document(RoutingFixtures.encode(#"{"t": 2}"#, "utf-16"), ["content-type": "application/json", "content-encoding": "utf-16"])
        #expect(utf16.body == .object(["t": .number(2)]))
        let text = document(Array("hello".utf8), [:])
        #expect(text.body == .string("hello") && text.bodyEncoding == "text")
        let binary = document([0xFF, 0x00, 0xFE], [:])
        #expect(binary.body == .string("/wD+") && binary.bodyEncoding == "base64")
    }
}
