import AccessControl
import Foundation
import Hub
import Provisioning
import Storage
import Testing

/// Import and export jobs over the SQLite store and local blob containers: devices.txt written with and without keys,
/// an import with mixed modes and failing lines (importErrors.log), progress, cancellation and container SAS checks.
@Suite struct ImportExportJobStorageTests {
    /// Container URIs of the form `https://{shard}/{container}?{SAS}`, checked by that shard's `FileUploads`.
    struct LocalContainers: BlobContainerResolver {
        let uploads: [String: FileUploads]

        func resolve(containerUri: String, permission: Character) throws -> BlobContainerReference {
            guard let components = URLComponents(string: containerUri), let host = components.host, let shardUploads = uploads[host] else {
                throw HubError.badRequest("unknown container host")
            }
            let container = String(components.path.dropFirst())
            var query: [String: String] = [:]
            for item in components.queryItems ?? [] { query[item.name] = item.value ?? "" }
            try shardUploads.authorize(container: container, query: query, permission: permission)
            return BlobContainerReference(store: shardUploads.store, shard: shardUploads.shard.name, container: container)
        }
    }

    static let key = SharedAccessKey(bytes: Array(repeating: 7, count: 32))

    static func shard(_ name: String, _ database: ProvisioDatabase, clock: FeedbackLockTests.TestClock) -> HubShard {
        HubShard(name: name, hostName: name, registry: database, cloudToDevice: database, telemetry: TelemetryBatcher(store: database),
                 notifier: FeedbackLockTests.UnreachableDevices(), importExportJobs: database, now: { clock.now })
    }

    /// Two shards over one database, their blob services over one local store, and a resolver for both.
    static func withShards(_ body: (HubShard, HubShard, FileUploads, FileUploads, LocalContainers, LocalBlobStore) async throws -> Void) async throws {
        try await withTemporaryDatabase { database, _ in
            let clock = FeedbackLockTests.TestClock()
            let (one, two) = (shard("hub-1", database, clock: clock), shard("hub-2", database, clock: clock))
            let root = FileManager.default.temporaryDirectory.appendingPathComponent("jobs-\(UUID().uuidString)", isDirectory: true)
            defer { try? FileManager.default.removeItem(at: root) }
            let store = LocalBlobStore(root: root)
            let uploadsOne = FileUploads(shard: one, settings: FileUploadSettings(), store: store, ledger: store, key: key, now: { clock.now })
            let uploadsTwo = FileUploads(shard: two, settings: FileUploadSettings(), store: store, ledger: store, key: key, now: { clock.now })
            try await body(one, two, uploadsOne, uploadsTwo, LocalContainers(uploads: ["hub-1": uploadsOne, "hub-2": uploadsTwo]), store)
        }
    }

    static func uri(_ uploads: FileUploads, _ container: String, permissions: String = "rwl") throws -> String {
        "https://\(uploads.shard.name)/\(container)" + (try uploads.containerSignature(
            container: container, permissions: permissions, expiry: Date(timeIntervalSince1970: 1_800_003_600)))
    }

    static func blobText(_ store: LocalBlobStore, shard: String, container: String, blob: String) throws -> String {
        let properties = try #require(try store.properties(shard: shard, container: container, blob: blob))
        return String(decoding: try store.read(shard: shard, container: container, blob: blob, offset: 0, length: Int(properties.size)), as: UTF8.self)
    }

    static func job(_ id: String, _ type: ImportExportJob.Kind, input: String? = nil, output: String, excludeKeys: Bool = false) -> ImportExportJob {
        ImportExportJob(jobId: id, type: type, startTimeUtc: "2027-01-15T08:00:00Z", inputBlobContainerUri: input, inputBlobName: nil,
                        outputBlobContainerUri: output, outputBlobName: nil, excludeKeysInExport: excludeKeys, storageAuthenticationType: nil)
    }

    @Test("export writes devices.txt with keys (or without), import moves them to another shard and logs failing lines")
    func exportThenImport() async throws {
        try await Self.withShards { one, two, uploadsOne, uploadsTwo, containers, store in
            let key = Data(repeating: 0x41, count: 32).base64EncodedString()
            for index in 0..<1_200 {
                _ = try await one.createOrUpdateDevice(DeviceSpecification(
                    deviceId: String(format: "d-%04d", index), authentication: .sharedAccessSignature(primaryKey: key, secondaryKey: key)), ifMatch: nil)
            }
            _ = try await one.updateTwin(deviceId: "d-0003", patch: .object(["tags": .object(["site": .string("north")]),
                                                                              "properties": .object(["desired": .object(["fw": .string("2")])])]),
                                         ifMatch: nil)
            let runner = ImportExportJobRunner(shard: one, containers: containers)
            _ = try await one.createImportExportJob(Self.job("exp", .export, output: try Self.uri(uploadsOne, "export")))
            await runner.runJob(try await one.importExportJob("exp"))
            let exported = try await one.importExportJob("exp")
            #expect(exported.status == .completed && exported.progress == 100 && exported.deviceCount == 1_200, "\(exported)")
            let lines = try Self.blobText(store, shard: "hub-1", container: "export", blob: "devices.txt").split(separator: "\n")
            #expect(lines.count == 1_200)
            let first = try JSONDecoder().decode(JSONValue.self, from: Data(lines[0].utf8))
            #expect(first["id"] == .string("d-0000") && first["authentication"]?["symmetricKey"]?["primaryKey"] == .string(key))

            _ = try await one.createImportExportJob(Self.job("exp-nokeys", .export, output: try Self.uri(uploadsOne, "nokeys"), excludeKeys: true))
            await runner.runJob(try await one.importExportJob("exp-nokeys"))
            let bare = try Self.blobText(store, shard: "hub-1", container: "nokeys", blob: "devices.txt")
            #expect(!bare.contains(key) && bare.contains("\"primaryKey\":null"))

            // Extra lines: a malformed one, a stale-etag update and a delete of one of the moved devices.
            let writer = try store.beginWrite(shard: "hub-1", container: "export", blob: "extra.txt")
            let extra = try Self.blobText(store, shard: "hub-1", container: "export", blob: "devices.txt") + """
                not json
                {"id":"d-0001","importMode":"updateIfMatchETag","eTag":"stale"}
                {"id":"d-0002","importMode":"delete"}

                """
            try Array(extra.utf8).withUnsafeBytes { try writer.append($0) }
            _ = try writer.commit()
            var importJob = Self.job("imp", .import, input: try Self.uri(uploadsOne, "export", permissions: "r"), output: try Self.uri(uploadsTwo, "logs"))
            importJob.inputBlobName = "extra.txt"
            _ = try await two.createImportExportJob(importJob)
            await ImportExportJobRunner(shard: two, containers: containers).runJob(try await two.importExportJob("imp"))
            let imported = try await two.importExportJob("imp")
            #expect(imported.status == .completed && imported.progress == 100 && imported.errorCount == 2, "\(imported)")
            #expect(try await two.registryStatistics().totalDeviceCount == 1_199)
            #expect(try await two.device("d-0500").authentication.symmetricKey?.primaryKey == key)
            let twin = try await two.serviceTwin(deviceId: "d-0003")
            #expect(twin["tags"]?["site"] == .string("north") && twin["properties"]?["desired"]?["fw"] == .string("2"))
            let log = try Self.blobText(store, shard: "hub-2", container: "logs", blob: "importErrors.log").split(separator: "\n")
            #expect(log.count == 2 && log[1].contains("d-0001") && log[1].contains("PreconditionFailed"))
            #expect(!log.joined().contains(key), "the error log never quotes a line (it may hold keys)")
        }
    }

    @Test("a cancelled job does not run; one job at a time; container SAS: a blob SAS, a missing permission or a forged one are refused")
    func cancellationAndContainerSignatures() async throws {
        try await Self.withShards { one, _, uploadsOne, _, containers, _ in
            let output = try Self.uri(uploadsOne, "export")
            _ = try await one.createImportExportJob(Self.job("a", .export, output: output))
            await #expect(throws: HubError.self) { _ = try await one.createImportExportJob(Self.job("b", .export, output: output)) }
            let cancelled = try await one.cancelImportExportJob("a")
            #expect(cancelled.status == .cancelled && cancelled.endTimeUtc != nil)
            await ImportExportJobRunner(shard: one, containers: containers).runJob(cancelled)
            #expect(try await one.importExportJob("a").status == .cancelled)
            await #expect(throws: HubError.self) { _ = try await one.createImportExportJob(Self.job("c", .import, output: output)) }

            #expect(throws: HubError.self) { _ = try containers.resolve(containerUri: try Self.uri(uploadsOne, "export", permissions: "r"), permission: "w") }
            let blobSAS = BlobServiceSignature.issue(account: "hub-1", container: "export", blob: "devices.txt", permissions: "rw",
                                                     expiry: Date(timeIntervalSince1970: 1_800_003_600), key: Self.key)
            #expect(throws: HubError.self) { _ = try containers.resolve(containerUri: "https://hub-1/export" + blobSAS, permission: "r") }
            let forged = output.replacingOccurrences(of: "sig=", with: "sig=AAAA")
            #expect(throws: HubError.self) { _ = try containers.resolve(containerUri: forged, permission: "w") }
            #expect(throws: HubError.self) { _ = try uploadsOne.containerSignature(container: "UPPER", permissions: "r", expiry: Date()) }
            _ = try containers.resolve(containerUri: output, permission: "w")
        }
    }
}
