import AccessControl
import Foundation
import Hub
import Storage
import Testing

/// `FileUploads` over the installation database and local files: grants and their SAS, the per-device limit and
/// its release, notifications (and their absence when switched off), and retention.
@Suite struct FileUploadsTests {
    static let key = SharedAccessKey(bytes: Array(repeating: 3, count: 32))

    /// The shard with dev1 and dev2 and a `FileUploads` over files in a temporary directory.
    static func withUploads(_ settings: FileUploadSettings = FileUploadSettings(),
                            _ body: (FileUploads, HubShard, LocalBlobStore, FeedbackLockTests.TestClock) async throws -> Void) async throws {
        try await withTemporaryDatabase { database, _ in
            let clock = FeedbackLockTests.TestClock()
            let shard = HubShard(name: "hub-1", hostName: "127.0.0.2", registry: database, cloudToDevice: database,
                                 telemetry: TelemetryBatcher(store: database), notifier: FeedbackLockTests.UnreachableDevices(),
                                 fileNotifications: database, now: { clock.now })
            let deviceKey = Data(repeating: 0x5A, count: 32).base64EncodedString()
            for id in ["dev1", "dev2"] {
                _ = try await shard.createOrUpdateDevice(
                    DeviceSpecification(deviceId: id, authentication: .sharedAccessSignature(primaryKey: deviceKey, secondaryKey: deviceKey)),
                    ifMatch: nil)
            }
            let root = FileManager.default.temporaryDirectory.appendingPathComponent("uploads-\(UUID().uuidString)", isDirectory: true)
            defer { try? FileManager.default.removeItem(at: root) }
            let store = LocalBlobStore(root: root)
            let uploads = FileUploads(shard: shard, settings: settings, store: store, ledger: store, key: key, now: { clock.now })
            try await body(uploads, shard, store, clock)
        }
    }

    static func query(_ sas: String) -> [String: String] {
        Dictionary(uniqueKeysWithValues: sas.dropFirst().split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1)
            return (String(parts[0]), String(parts[1]).removingPercentEncoding ?? "")
        })
    }

    static func upload(_ store: LocalBlobStore, _ grant: FileUploadGrant, _ text: String) throws {
        let writer = try store.beginWrite(shard: "hub-1", container: grant.containerName, blob: grant.blobName)
        try Array(text.utf8).withUnsafeBytes { try writer.append($0) }
        _ = try writer.commit()
    }

    @Test("A grant opens exactly its blob; success queues one notification; a report is taken once, from its device")
    func grantAndNotify() async throws {
        try await Self.withUploads { uploads, shard, store, _ in
            let grant = try await uploads.initiate(deviceId: "dev1", name: "logs/a.txt", hostName: "127.0.0.2")
            #expect(grant.blobName == "dev1/logs/a.txt")
            #expect(grant.containerName == "fileuploads")
            let query = Self.query(grant.sasToken)
            try uploads.authorize(container: "fileuploads", blob: "dev1/logs/a.txt", query: query, permission: "w")
            let stolen = #expect(throws: HubError.self) {
                try uploads.authorize(container: "fileuploads", blob: "dev2/logs/a.txt", query: query, permission: "w")
            }
            #expect(stolen?.name == "AuthenticationFailed")
            #expect(throws: HubError.self) { try uploads.authorize(container: "other", blob: "dev1/logs/a.txt", query: query, permission: "w") }
            await #expect(throws: HubError.self) { try await uploads.initiate(deviceId: "dev1", name: "../escape", hostName: "h") }
            await #expect(throws: HubError.self) { try await uploads.initiate(deviceId: "nobody", name: "a", hostName: "h") }

            await #expect(throws: HubError.self) {
                try await uploads.notify(deviceId: "dev1", correlationId: grant.correlationId, isSuccess: true, statusCode: 201, statusDescription: nil)
            }
            try Self.upload(store, grant, "twelve bytes")
            await #expect(throws: HubError.self) {
                try await uploads.notify(deviceId: "dev2", correlationId: grant.correlationId, isSuccess: true, statusCode: 201, statusDescription: nil)
            }
            try await uploads.notify(deviceId: "dev1", correlationId: grant.correlationId, isSuccess: true, statusCode: 400, statusDescription: "")
            await #expect(throws: HubError.self) {
                try await uploads.notify(deviceId: "dev1", correlationId: grant.correlationId, isSuccess: true, statusCode: 201, statusDescription: nil)
            }
            let locked = try #require(try await shard.lockFileNotification())
            #expect(locked.records.map(\.blobName) == ["dev1/logs/a.txt"])
            #expect(locked.records.map(\.blobSizeInBytes) == [12])
            #expect(locked.records.map(\.blobUri) == ["https://127.0.0.2/fileuploads/dev1/logs/a.txt"])
            #expect(try uploads.records().map(\.status) == [.succeeded])
        }
    }

    @Test("Ten open uploads per device; a report or the SAS expiry frees a slot; a restart still counts open ones")
    func concurrentLimit() async throws {
        try await Self.withUploads { uploads, shard, store, clock in
            var grants: [FileUploadGrant] = []
            for n in 0..<10 { grants.append(try await uploads.initiate(deviceId: "dev1", name: "\(n).bin", hostName: "h")) }
            let eleventh = await #expect(throws: HubError.self) { try await uploads.initiate(deviceId: "dev1", name: "10.bin", hostName: "h") }
            #expect(eleventh?.status == 403)
            #expect(eleventh?.name == "DeviceMaximumActiveFileUploadLimitExceeded")
            _ = try await uploads.initiate(deviceId: "dev2", name: "other.bin", hostName: "h")

            let restarted = FileUploads(shard: shard, settings: uploads.settings, store: store, ledger: store, key: Self.key, now: { clock.now })
            await #expect(throws: HubError.self) { try await restarted.initiate(deviceId: "dev1", name: "10.bin", hostName: "h") }
            try await restarted.notify(deviceId: "dev1", correlationId: grants[0].correlationId, isSuccess: false, statusCode: 500,
                                       statusDescription: "gave up")
            _ = try await restarted.initiate(deviceId: "dev1", name: "10.bin", hostName: "h")
            await #expect(throws: HubError.self) { try await restarted.initiate(deviceId: "dev1", name: "11.bin", hostName: "h") }
            clock.advance(3601)
            _ = try await restarted.initiate(deviceId: "dev1", name: "11.bin", hostName: "h")
            #expect(try await shard.lockFileNotification() == nil)
        }
    }

    @Test("Notifications off: the outcome is kept, nothing is queued; retention removes old files and records")
    func quietShardAndRetention() async throws {
        try await Self.withUploads(FileUploadSettings(notificationsEnabled: false, retention: 100)) { uploads, shard, store, clock in
            let grant = try await uploads.initiate(deviceId: "dev1", name: "old.txt", hostName: "h")
            try Self.upload(store, grant, "old")
            try await uploads.notify(deviceId: "dev1", correlationId: grant.correlationId, isSuccess: true, statusCode: 201, statusDescription: "OK")
            #expect(try await shard.lockFileNotification() == nil)
            #expect(try uploads.records().map(\.status) == [.succeeded])
            clock.advance(101)
            _ = try await uploads.initiate(deviceId: "dev1", name: "new.txt", hostName: "h")
            #expect(try store.properties(shard: "hub-1", container: "fileuploads", blob: "dev1/old.txt") == nil)
            #expect(try uploads.records().map(\.blobName) == ["dev1/new.txt"])
        }
    }
}
