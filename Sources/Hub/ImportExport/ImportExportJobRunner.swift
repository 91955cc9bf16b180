import Foundation
import Provisioning

/// Runs a shard's import and export jobs one at a time, reading and writing `devices.txt` through Provisio's own blob
/// containers. A job found running at start-up (a restart) runs again from the start: export rewrites its blob,
/// import's modes are idempotent except `create`, whose repeats are logged as already-existing devices.
public struct ImportExportJobRunner: Sendable {
    /// Devices per batch between progress records and cancellation checks.
    static let batchSize = 500
    /// Bytes of the input blob read at once.
    static let readChunk = 1 << 20

    /// The shard.
    public let shard: HubShard
    /// Where container URIs lead.
    public let containers: any BlobContainerResolver
    /// Longest wait between looks at the store.
    public let idleInterval: Duration

    /// Creates a runner.
    public init(shard: HubShard, containers: any BlobContainerResolver, idleInterval: Duration = .seconds(5)) {
        self.shard = shard
        self.containers = containers
        self.idleInterval = idleInterval
    }

    /// Runs until the task is cancelled.
    public func run() async {
        guard let store = try? shard.importExportJobs() else { return }
        while !Task.isCancelled {
            if let job = try? await store.importExportJobs(shard: shard.name).first(where: { !$0.status.isFinal }) {
                await runJob(job)
                continue
            }
            await shard.importExportWakeup.wait(timeout: idleInterval)
        }
    }

    /// Runs one job to its end (completed, failed or cancelled), recording progress as it goes.
    public func runJob(_ queued: ImportExportJob) async {
        var job = queued
        job.status = .running
        job.progress = 0
        do {
            try await record(job)
            switch job.type {
            case .export: try await export(&job)
            case .import: try await importDevices(&job)
            }
            guard try await !isCancelled(job.jobId) else { return }
            job.status = .completed
            job.progress = 100
        } catch is CancellationError {
            return
        } catch let error as HubError {
            job.status = .failed
            job.failureReason = error.message
        } catch {
            job.status = .failed
            job.failureReason = "the job stopped on a storage error"
        }
        job.endTimeUtc = RegistrationTimestamp.string(shard.now())
        try? await record(job)
    }

    private func export(_ job: inout ImportExportJob) async throws {
        let target = try containers.resolve(containerUri: job.outputBlobContainerUri ?? "", permission: "w")
        guard let registry = shard.registry as? any EnumerableDeviceRegistry else { throw HubError.badRequest("this shard cannot list devices") }
        let total = max(1, try await registry.deviceCount(shard: shard.name))
        let writer = try target.store.beginWrite(shard: target.shard, container: target.container, blob: job.outputBlobName ?? "devices.txt")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var cursor: String?
        var written = 0
        do {
            while true {
                let batch = try await registry.devices(shard: shard.name, after: cursor, limit: Self.batchSize)
                var bytes = Data()
                for device in batch {
                    bytes.append(try encoder.encode(ExportImportDeviceLine.exportLine(device, includeKeys: !job.excludeKeysInExport)))
                    bytes.append(0x0A)
                }
                try bytes.withUnsafeBytes { try writer.append($0) }
                written += batch.count
                guard batch.count == Self.batchSize, let last = batch.last else { break }
                cursor = last.key
                if try await isCancelled(job.jobId) { throw CancellationError() }
                job.progress = min(99, written * 100 / total)
                job.deviceCount = written
                try await record(job)
            }
            _ = try writer.commit()
        } catch {
            writer.abort()
            throw error
        }
        job.deviceCount = written
    }

    private func importDevices(_ job: inout ImportExportJob) async throws {
        let source = try containers.resolve(containerUri: job.inputBlobContainerUri ?? "", permission: "r")
        let output = try containers.resolve(containerUri: job.outputBlobContainerUri ?? "", permission: "w")
        let blob = job.inputBlobName ?? "devices.txt"
        guard let properties = try source.store.properties(shard: source.shard, container: source.container, blob: blob) else {
            throw HubError.badRequest("the input container has no blob \(blob)")
        }
        var errors = Data()
        var (offset, pending, imported, failed, sinceRecord) = (Int64(0), [UInt8](), 0, 0, 0)
        // Bytes of the lines handled so far: progress moves with the work, not with the 1 MiB reads.
        var consumed = Int64(0)
        while offset < properties.size {
            let chunk = try source.store.read(shard: source.shard, container: source.container, blob: blob, offset: offset, length: Self.readChunk)
            guard !chunk.isEmpty else { break }
            offset += Int64(chunk.count)
            pending += chunk
            let lines = pending.split(separator: 0x0A, omittingEmptySubsequences: false)
            pending = offset < properties.size ? Array(lines.last ?? []) : []
            for line in (offset < properties.size ? lines.dropLast() : lines[...]) {
                consumed += Int64(line.count) + 1
                let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                guard !text.isEmpty else { continue }
                do {
                    try await apply(ExportImportDeviceLine(parsing: Substring(text)))
                    imported += 1
                } catch let error as HubError {
                    failed += 1
                    errors.append(Self.errorLine(text, error))
                }
                sinceRecord += 1
                if sinceRecord >= Self.batchSize {
                    sinceRecord = 0
                    if try await isCancelled(job.jobId) { throw CancellationError() }
                    job.progress = Int(min(99, consumed * 100 / max(1, properties.size)))
                    job.deviceCount = imported
                    job.errorCount = failed
                    try await record(job)
                }
            }
        }
        let writer = try output.store.beginWrite(shard: output.shard, container: output.container, blob: "importErrors.log")
        do {
            try errors.withUnsafeBytes { try writer.append($0) }
            _ = try writer.commit()
        } catch {
            writer.abort()
            throw error
        }
        job.deviceCount = imported
        job.errorCount = failed
    }

    private func apply(_ line: ExportImportDeviceLine) async throws {
        let id = line.deviceId
        func required(_ etag: String?) throws(HubError) -> String {
            guard let etag, !etag.isEmpty else { throw .badRequest("importMode \(line.mode.rawValue) needs an etag") }
            return etag
        }
        switch line.mode {
        case .create:
            _ = try await shard.createOrUpdateDevice(line.specification, ifMatch: nil)
        case .update:
            _ = try await shard.createOrUpdateDevice(line.specification, ifMatch: "*")
        case .updateIfMatchETag:
            _ = try await shard.createOrUpdateDevice(line.specification, ifMatch: try required(line.eTag))
        case .createOrUpdate:
            let exists = try await shard.registry.device(shard: shard.name, deviceId: id) != nil
            _ = try await shard.createOrUpdateDevice(line.specification, ifMatch: exists ? "*" : nil)
        case .createOrUpdateIfMatchETag:
            let exists = try await shard.registry.device(shard: shard.name, deviceId: id) != nil
            _ = try await shard.createOrUpdateDevice(line.specification, ifMatch: exists ? try required(line.eTag) : nil)
        case .delete:
            try await shard.deleteDevice(id, ifMatch: nil)
            return
        case .deleteIfMatchETag:
            try await shard.deleteDevice(id, ifMatch: try required(line.eTag))
            return
        case .updateTwin, .updateTwinIfMatchETag:
            let ifMatch = line.mode == .updateTwinIfMatchETag ? try required(line.twinETag) : nil
            _ = try await shard.updateTwin(deviceId: id, patch: line.twinPatch ?? .object([:]), ifMatch: ifMatch)
            return
        }
        if let patch = line.twinPatch, Self.hasContent(patch) {
            _ = try await shard.updateTwin(deviceId: id, patch: patch, ifMatch: nil)
        }
    }

    private static func hasContent(_ patch: JSONValue) -> Bool {
        !(patch["tags"]?.objectValue?.isEmpty ?? true) || !(patch["properties"]?["desired"]?.objectValue?.isEmpty ?? true)
    }

    /// `{"deviceId": …, "errorCode": …, "errorStatus": …}` and a newline; never the line itself (it may hold keys).
    private static func errorLine(_ text: String, _ error: HubError) -> Data {
        let id = (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)))?["id"]
        let entry: JSONValue = .object([
            "deviceId": id ?? .null, "errorCode": .string(String(error.errorCode)), "errorStatus": .string("\(error.name): \(error.message)"),
        ])
        var data = (try? JSONEncoder().encode(entry)) ?? Data()
        data.append(0x0A)
        return data
    }

    private func record(_ job: ImportExportJob) async throws {
        // A cancel recorded meanwhile stays: the runner only writes over jobs that have not ended.
        guard try await !isCancelled(job.jobId) else { return }
        try await shard.importExportJobs().updateImportExportJob(job, shard: shard.name)
    }

    private func isCancelled(_ jobId: String) async throws -> Bool {
        try await shard.importExportJobs().importExportJob(shard: shard.name, jobId: jobId)?.status == .cancelled
    }
}
