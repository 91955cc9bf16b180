import Foundation
import Hub
import Storage
import Testing

/// File-upload notifications wait durably for the file-notification receiver and are read one per lock.
@Suite struct FileNotificationLockTests {
    static func notification(_ name: String) -> FileNotification {
        FileNotification(deviceId: "dev1", blobUri: "https://127.0.0.2/files/dev1/\(name)", blobName: "dev1/\(name)",
                         lastUpdatedTime: "2027-01-15T08:00:00Z", blobSizeInBytes: 12, enqueuedTimeUtc: "2027-01-15T08:00:01Z")
    }

    @Test("One notification per lock, oldest first; complete deletes it, release and lapse bring it back, a reopen keeps it")
    func lockCompleteRelease() async throws {
        try await withTemporaryDatabase { database, path in
            let clock = FeedbackLockTests.TestClock()
            func shard(_ database: ProvisioDatabase) -> HubShard {
                HubShard(name: "hub-1", hostName: "127.0.0.2", registry: database, cloudToDevice: database,
                         telemetry: TelemetryBatcher(store: database), notifier: FeedbackLockTests.UnreachableDevices(),
                         fileNotifications: database, now: { clock.now })
            }
            let hub = shard(database)
            try await hub.recordFileNotification(Self.notification("a.txt"))
            try await hub.recordFileNotification(Self.notification("b.txt"))

            let first = try #require(try await hub.lockFileNotification())
            #expect(first.records == [Self.notification("a.txt")])
            let second = try #require(try await hub.lockFileNotification(duration: 10))
            #expect(second.records == [Self.notification("b.txt")])
            #expect(try await hub.lockFileNotification() == nil)

            let reopened = shard(try ProvisioDatabase(path: path))
            try await reopened.completeFileNotification(lockToken: first.lockToken)
            clock.advance(10)
            let again = try #require(try await reopened.lockFileNotification())
            #expect(again.records == [Self.notification("b.txt")])
            await #expect(throws: HubError.self) { try await reopened.completeFileNotification(lockToken: second.lockToken) }
            #expect(try await reopened.releaseFileNotification(lockToken: again.lockToken))
            let last = try #require(try await reopened.lockFileNotification())
            try await reopened.completeFileNotification(lockToken: last.lockToken)
            #expect(try await reopened.lockFileNotification() == nil)
        }
    }

    @Test("A shard without a notification store has none to lock and refuses to record one")
    func withoutStore() async throws {
        try await withTemporaryDatabase { database, _ async throws in
            let hub = FeedbackLockTests.shard(database, clock: FeedbackLockTests.TestClock())
            #expect(try await hub.lockFileNotification() == nil)
            await #expect(throws: HubError.self) { try await hub.recordFileNotification(Self.notification("a.txt")) }
            await #expect(throws: HubError.self) { try await hub.completeFileNotification(lockToken: UUID()) }
        }
    }
}
