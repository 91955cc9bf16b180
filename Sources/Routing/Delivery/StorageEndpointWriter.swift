import Foundation
import Logging

/// Writes one partition of a storage endpoint as JSON-lines files named like IoT Hub's blobs,
/// `{directory}/{iothub}/{partition}/{YYYY}/{MM}/{DD}/{HH}/{mm}` (UTC, the time of writing). A batch is written when
/// `batchBytes` are pending or its oldest event is `batchSeconds` old; the file is synced before the cursor moves, so
/// a crash repeats a batch rather than losing it.
struct StorageEndpointWriter: Sendable {
    let routing: ShardRouting
    let endpoint: RoutingEndpointConfiguration
    let partition: Int
    let sleep: @Sendable (Duration) async throws -> Void
    let now: @Sendable () -> Date
    let logger: Logger

    var cursorName: String { "deliver:\(endpoint.name):\(partition)" }

    /// Writes until cancelled or the endpoint's configuration changes.
    func run() async {
        var delivered: Int64?
        while !Task.isCancelled, routing.currentTable.endpoints[endpoint.name] == endpoint {
            let version = routing.appended.version
            do {
                if delivered == nil { delivered = try await routing.store.cursor(shard: routing.shard, name: cursorName) ?? -1 }
                let pending = try await routing.store.events(shard: routing.shard, endpoint: endpoint.name, partition: partition,
                                                             from: delivered! + 1, limit: 5000)
                guard let first = pending.first, let last = pending.last else {
                    await routing.appended.wait(since: version, timeout: .seconds(60))
                    continue
                }
                var lines: [UInt8] = []
                for event in pending {
                    lines += try EventDocument.encode(event)
                    lines.append(0x0A)
                }
                let age = now().timeIntervalSince(first.enqueuedTime)
                let full = lines.count >= endpoint.effectiveBatchBytes || pending.count == 5000
                guard full || age >= Double(endpoint.effectiveBatchSeconds) else {
                    let remaining = Double(endpoint.effectiveBatchSeconds) - age
                    await routing.appended.wait(since: version, timeout: RetryPolicy.duration(seconds: max(0.05, remaining)))
                    continue
                }
                try write(lines, at: now())
                try await routing.store.setCursor(shard: routing.shard, name: cursorName, position: last.sequenceNumber)
                routing.recordEndpoint(endpoint.name) { $0.delivered += pending.count }
                delivered = last.sequenceNumber
            } catch is CancellationError {
                return
            } catch {
                routing.recordEndpoint(endpoint.name) {
                    $0.failedAttempts += 1
                    $0.lastError = "\(error)"
                }
                logger.error("storage endpoint write failed", metadata: [
                    "hub.shard": "\(routing.shard)", "routing.endpoint": "\(endpoint.name)", "routing.error": "\(error)",
                ])
                try? await sleep(.seconds(5))
            }
        }
    }

    /// The file a batch written at `time` goes to.
    static func file(directory: String, hub: String, partition: Int, time: Date) -> URL {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: time)
        func two(_ value: Int?) -> String { String(format: "%02d", value ?? 0) }
        return URL(fileURLWithPath: directory, isDirectory: true)
            .appendingPathComponent(hub, isDirectory: true)
            .appendingPathComponent(String(partition), isDirectory: true)
            .appendingPathComponent(String(format: "%04d", parts.year ?? 0), isDirectory: true)
            .appendingPathComponent(two(parts.month), isDirectory: true)
            .appendingPathComponent(two(parts.day), isDirectory: true)
            .appendingPathComponent(two(parts.hour), isDirectory: true)
            .appendingPathComponent(two(parts.minute))
    }

    /// Appends the lines to the minute's file and syncs it.
    private func write(_ lines: [UInt8], at time: Date) throws {
        let file = Self.file(directory: endpoint.directory ?? ".", hub: routing.shard, partition: partition, time: time)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: file.path) {
            guard FileManager.default.createFile(atPath: file.path, contents: nil, attributes: [.posixPermissions: 0o640]) else {
                throw RoutingError(.invalidArgument, "cannot create \(file.path)")
            }
        }
        let handle = try FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: lines)
        try handle.synchronize()
    }
}
