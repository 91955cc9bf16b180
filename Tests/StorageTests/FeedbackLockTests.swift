import Foundation
import Hub
import Provisioning
import Storage
import Synchronization
import Testing

/// Feedback with peek-lock semantics on a shard over the SQLite store: locked records stay stored (across a reopen)
/// until completed, come back when released or when the lock lapses, and the REST take leaves locked records alone.
@Suite struct FeedbackLockTests {
    /// A clock the test moves.
    final class TestClock: Sendable {
        private let value = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
        var now: Date { value.withLock { $0 } }
        func advance(_ seconds: TimeInterval) { value.withLock { $0 = $0.addingTimeInterval(seconds) } }
    }

    /// Devices are not reached in these tests; the shard needs a notifier all the same.
    struct UnreachableDevices: HubNotifier {
        func desiredPropertiesChanged(shard: String, deviceId: String, moduleId: String?, patch: JSONValue) async {}
        func cloudToDeviceQueued(shard: String, deviceId: String) async {}
        func invokeMethod(shard: String, deviceId: String, moduleId: String?, request: DirectMethodRequest) async throws -> DirectMethodResponse {
            throw HubError.deviceNotOnline(deviceId)
        }
        func disconnect(shard: String, deviceId: String) async {}
    }

    static func shard(_ database: ProvisioDatabase, clock: TestClock) -> HubShard {
        HubShard(name: "hub-1", hostName: "127.0.0.2", registry: database, cloudToDevice: database,
                 telemetry: TelemetryBatcher(store: database), notifier: UnreachableDevices(), now: { clock.now })
    }

    /// Feedback records as a finished C2D delivery leaves them.
    static func addFeedback(_ database: ProvisioDatabase, ids: [String]) async throws {
        for id in ids {
            let message = CloudToDeviceMessage(
                id: "c2d-\(id)", shard: "hub-1", deviceId: "dev1", messageId: id, correlationId: nil, contentType: nil,
                contentEncoding: nil, userId: nil, body: [], properties: [:], enqueuedTime: Date(timeIntervalSince1970: 1_800_000_000),
                expiryTime: Date(timeIntervalSince1970: 1_800_003_600), ack: .full)
            try await database.enqueueCloudToDevice(message)
            let record = FeedbackRecord(originalMessageId: id, deviceId: "dev1", statusCode: .success, description: "Success",
                                        enqueuedTimeUtc: "2027-01-15T08:00:00Z", deviceGenerationId: "1")
            try await database.finishCloudToDevice(shard: "hub-1", messageId: message.id, feedback: record)
        }
    }

    @Test("A lock holds records until completed; they survive a reopen; complete deletes exactly them")
    func lockAndComplete() async throws {
        try await withTemporaryDatabase { database, path in
            let clock = TestClock()
            try await Self.addFeedback(database, ids: ["m1", "m2", "m3"])
            let first = try #require(try await Self.shard(database, clock: clock).lockFeedback(limit: 2))
            #expect(first.records.map(\.originalMessageId) == ["m1", "m2"])
            #expect(first.lockedUntil == clock.now.addingTimeInterval(HubShard.feedbackLockDuration))

            // A second receiver gets what is left; the REST take finds nothing unlocked after that.
            let reopened = Self.shard(try ProvisioDatabase(path: path), clock: clock)
            let second = try #require(try await reopened.lockFeedback(limit: 10))
            #expect(second.records.map(\.originalMessageId) == ["m3"])
            #expect(second.lockToken != first.lockToken)
            #expect(try await reopened.takeFeedback().isEmpty)
            #expect(try await reopened.lockFeedback() == nil)

            try await reopened.completeFeedback(lockToken: first.lockToken)
            try await reopened.releaseFeedback(lockToken: second.lockToken)
            #expect(try await reopened.takeFeedback().map(\.originalMessageId) == ["m3"])
            // Completing twice, or with a token never issued, is a lost lock.
            for token in [first.lockToken, UUID()] {
                let error = await #expect(throws: HubError.self) { try await reopened.completeFeedback(lockToken: token) }
                #expect(error?.name == "DeviceMessageLockLost")
            }
        }
    }

    @Test("Released records come back at once, lapsed locks after their duration; a lapsed lock cannot complete")
    func releaseAndLapse() async throws {
        try await withTemporaryDatabase { database, _ in
            let clock = TestClock()
            let shard = Self.shard(database, clock: clock)
            try await Self.addFeedback(database, ids: ["m1", "m2"])
            let first = try #require(try await shard.lockFeedback())
            #expect(try await shard.releaseFeedback(lockToken: first.lockToken))
            #expect(try await shard.releaseFeedback(lockToken: first.lockToken) == false)

            let second = try #require(try await shard.lockFeedback(duration: 30))
            #expect(second.records.map(\.originalMessageId) == ["m1", "m2"])
            clock.advance(29)
            #expect(try await shard.lockFeedback() == nil)
            clock.advance(1)
            let third = try #require(try await shard.lockFeedback())
            #expect(third.records.map(\.originalMessageId) == ["m1", "m2"])
            await #expect(throws: HubError.self) { try await shard.completeFeedback(lockToken: second.lockToken) }
            try await shard.completeFeedback(lockToken: third.lockToken)
            clock.advance(3600)
            #expect(try await shard.lockFeedback() == nil)
            #expect(try await shard.takeFeedback().isEmpty)
        }
    }

    @Test("The REST take removes only unlocked records, oldest first, and new feedback after a lock is not taken by it")
    func takeLeavesLockedRecords() async throws {
        try await withTemporaryDatabase { database, _ in
            let clock = TestClock()
            let shard = Self.shard(database, clock: clock)
            try await Self.addFeedback(database, ids: ["m1", "m2"])
            let locked = try #require(try await shard.lockFeedback(limit: 1))
            try await Self.addFeedback(database, ids: ["m3"])
            #expect(try await shard.takeFeedback().map(\.originalMessageId) == ["m2", "m3"])
            try await shard.completeFeedback(lockToken: locked.lockToken)
            #expect(try await shard.takeFeedback().isEmpty)
            await #expect(throws: HubError.self) { try await shard.lockFeedback(limit: 0) }
        }
    }
}
