import Foundation
import Hub
import Synchronization
import Testing

/// The peek-lock the HTTPS device API polls C2D messages under: a locked message is hidden from other receivers
/// (MQTT included), complete and reject end it with their feedback, abandon and a lapsed lock return it, and a
/// stale or foreign lock token is `DeviceMessageLockLost` (412).
@Suite("C2D peek-lock")
struct CloudToDeviceLockTests {
    /// A shard whose clock the test moves.
    final class Clock: Sendable {
        private let time = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
        var now: Date { time.withLock { $0 } }
        func advance(_ seconds: TimeInterval) { time.withLock { $0 = $0.addingTimeInterval(seconds) } }
    }

    let fixture = HubServiceFixture()
    let clock = Clock()

    func shard() async throws -> HubShard {
        let clock = self.clock
        let shard = HubShard(name: "hub-1", hostName: "127.0.0.2", registry: fixture.store, cloudToDevice: fixture.store,
                             telemetry: TelemetryBatcher(store: fixture.store), notifier: fixture.notifier, now: { clock.now })
        let key = Data(repeating: 0x5A, count: 32).base64EncodedString()
        for id in ["dev1", "dev2"] {
            _ = try await shard.createOrUpdateDevice(
                DeviceSpecification(deviceId: id, authentication: .sharedAccessSignature(primaryKey: key, secondaryKey: key)), ifMatch: nil)
        }
        return shard
    }

    func send(_ shard: HubShard, _ messageId: String) async throws {
        _ = try await shard.sendCloudToDevice(deviceId: "dev1", body: Array(messageId.utf8), messageId: messageId, correlationId: nil,
                                              contentType: nil, contentEncoding: nil, properties: [:], timeToLive: nil, ack: .full)
    }

    @Test func completeRejectAndStaleLocks() async throws {
        let shard = try await shard()
        try await send(shard, "m1")
        let locked = try #require(try await shard.lockCloudToDevice(deviceId: "dev1"))
        #expect(locked.message.messageId == "m1")
        #expect(locked.message.deliveryCount == 0)
        #expect(try await shard.lockCloudToDevice(deviceId: "dev1") == nil)
        #expect(try await shard.deliverableCloudToDevice(deviceId: "dev1").isEmpty)
        let foreign = await #expect(throws: HubError.self) { try await shard.completeCloudToDevice(deviceId: "dev2", lockToken: locked.lockToken) }
        #expect(foreign?.status == 412)
        try await shard.completeCloudToDevice(deviceId: "dev1", lockToken: locked.lockToken)
        let stale = await #expect(throws: HubError.self) { try await shard.completeCloudToDevice(deviceId: "dev1", lockToken: locked.lockToken) }
        #expect(stale?.name == "DeviceMessageLockLost")

        try await send(shard, "m2")
        let second = try #require(try await shard.lockCloudToDevice(deviceId: "dev1"))
        try await shard.rejectCloudToDevice(deviceId: "dev1", lockToken: second.lockToken)
        #expect(try await shard.lockCloudToDevice(deviceId: "dev1") == nil)
        let feedback = try await shard.takeFeedback().map { [$0.originalMessageId, $0.statusCode.rawValue] }
        #expect(feedback == [["m1", "Success"], ["m2", "Rejected"]])
    }

    @Test func abandonAndLapsedLocksRedeliverUntilTheMaximum() async throws {
        let shard = try await shard()
        try await send(shard, "m1")
        let first = try #require(try await shard.lockCloudToDevice(deviceId: "dev1", duration: 10))
        try await shard.abandonCloudToDevice(deviceId: "dev1", lockToken: first.lockToken)
        let second = try #require(try await shard.lockCloudToDevice(deviceId: "dev1", duration: 10))
        #expect(second.message.deliveryCount == 1)
        clock.advance(11)
        let lapsed = await #expect(throws: HubError.self) { try await shard.completeCloudToDevice(deviceId: "dev1", lockToken: second.lockToken) }
        #expect(lapsed?.status == 412)
        for count in 2..<CloudToDeviceMessage.maximumDeliveryCount {
            let again = try #require(try await shard.lockCloudToDevice(deviceId: "dev1"))
            #expect(again.message.deliveryCount == count)
            try await shard.abandonCloudToDevice(deviceId: "dev1", lockToken: again.lockToken)
        }
        #expect(try await shard.lockCloudToDevice(deviceId: "dev1") == nil)
        #expect(try await shard.takeFeedback().map(\.statusCode) == [.deliveryCountExceeded])
        await #expect(throws: HubError.self) { try await shard.lockCloudToDevice(deviceId: "dev1", duration: 0) }
    }
}
