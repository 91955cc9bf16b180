import Foundation
import Hub
import Provisioning
import Storage
import Testing

/// C2D sends share commits: a batch is one transaction in which each message is refused on its own when its
/// device's queue is full, and concurrent sends through a shard all end up stored.
@Suite struct CloudToDeviceIntakeTests {
    static func message(_ index: Int, device: String) -> CloudToDeviceMessage {
        CloudToDeviceMessage(
            id: "c2d-\(device)-\(index)", shard: "hub-1", deviceId: device, messageId: "m\(index)", correlationId: nil,
            contentType: nil, contentEncoding: nil, userId: nil, body: [UInt8]("\(index)".utf8), properties: [:],
            enqueuedTime: Date(timeIntervalSince1970: 1_800_000_000), expiryTime: Date(timeIntervalSince1970: 1_800_003_600), ack: .none)
    }

    @Test("a batch stores what fits and refuses each message over its device's 50")
    func batchRefusesPerMessage() async throws {
        try await withTemporaryDatabase { database, _ in
            let batch = (0..<52).map { Self.message($0, device: "dev1") } + [Self.message(0, device: "dev2")]
            let outcomes = try await database.enqueueCloudToDevice(batch: batch)
            #expect(outcomes.count == 53)
            #expect(outcomes.prefix(50).allSatisfy { $0 == nil })
            #expect(outcomes[50] != nil)
            #expect(outcomes[51] != nil)
            #expect(outcomes[52] == nil, "another device's queue is its own")
            let stored = try await database.pendingCloudToDevice(shard: "hub-1", deviceId: "dev1", now: Date(timeIntervalSince1970: 1_800_000_001))
            #expect(stored.count == 50)
        }
    }

    @Test("concurrent sends through a shard are all stored, each exactly once")
    func concurrentSendsAreStored() async throws {
        try await withTemporaryDatabase { database, _ in
            let clock = FeedbackLockTests.TestClock()
            let shard = FeedbackLockTests.shard(database, clock: clock)
            try await database.save(shard: "hub-1", device: DeviceIdentity(deviceId: "dev1", generationId: "1", etag: "e", authentication: AuthenticationMechanism(type: "sas"), now: "2027-01-01T00:00:00Z"), twin: DeviceTwin(etag: "e"))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<40 {
                    group.addTask {
                        _ = try await shard.sendCloudToDevice(deviceId: "dev1", body: [UInt8]("\(index)".utf8), messageId: "m\(index)",
                                                              correlationId: nil, contentType: nil, contentEncoding: nil,
                                                              properties: [:], timeToLive: 60, ack: .none)
                    }
                }
                try await group.waitForAll()
            }
            let stored = try await database.pendingCloudToDevice(shard: "hub-1", deviceId: "dev1", now: clock.now)
            #expect(Set(stored.map(\.messageId)) == Set((0..<40).map { "m\($0)" }))
        }
    }
}
