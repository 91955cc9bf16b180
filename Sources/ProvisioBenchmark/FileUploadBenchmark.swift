import ArgumentParser
import Foundation
import NIOCore
import NIOSSL

/// `provisio-bench files`: file upload MB/s through the whole device flow (`POST /devices/{id}/files`, the Blob REST API
/// on the shard's HTTPS listener, `POST /devices/{id}/files/notifications`) — many small files by Put Blob and one large
/// file by Put Block × n + Put Block List — each next to a plain `write` + `fsync` of the same bytes in the same run.
struct FileUploadBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "files",
        abstract: "File upload MB/s (small files by Put Blob, a large file in blocks) vs plain write+fsync of the same bytes, same run.")

    @Option(help: "The running server's connection.json.")
    var connection: String

    @Option(help: "Devices uploading small files at once (one keep-alive HTTPS connection each, one upload at a time); the baseline uses as many threads.")
    var devices = 8

    @Option(help: "Small files per round.")
    var smallFiles = 2_000

    @Option(help: "Bytes per small file.")
    var smallBytes = 65_536

    @Option(help: "Size of the large file in MiB.")
    var largeMib = 100

    @Option(help: "Block size of the large file in MiB (azure-storage-blob's default max_block_size is 4 MiB).")
    var blockMib = 4

    @Option(help: "Rounds; each runs the small-file baseline and upload, then the large-file baseline and upload.")
    var rounds = 1

    @Option(help: "The server's process id, to report its CPU use.")
    var serverPid: Int32?

    @Option(help: "Directory for the plain write+fsync baseline (default: connection.json's directory, the data directory the files go to).")
    var directory: String?

    /// The device-transports issue's target: uploads at least half the plain write+fsync rate.
    static let targetRatio = 0.5

    func run() async throws {
        guard devices > 0, smallFiles >= devices, smallBytes > 0, largeMib > 0, blockMib > 0, largeMib % blockMib == 0, rounds > 0 else {
            throw ValidationError("need devices > 0, small-files ≥ devices, small-bytes > 0, rounds > 0 and large-mib a multiple of block-mib")
        }
        let server = try ServerConnection.load(path: connection)
        let tls = try ClientTLS.context(trusting: try ClientTLS.roots(bundlePath: server.trustBundle))
        guard let shard = server.hubs.first else { throw BenchmarkError("the server has no hub shard") }
        let baselineDirectory = directory ?? URL(fileURLWithPath: connection).deletingLastPathComponent().path
        let tag = RunTag.make()
        let blocks = largeMib / blockMib
        var report = BenchmarkReport(benchmark: "files", parameters: [
            "devices": "\(devices)", "smallFiles": "\(smallFiles)", "smallBytes": "\(smallBytes)", "largeMiB": "\(largeMib)",
            "blockMiB": "\(blockMib)", "rounds": "\(rounds)", "shard": "\(shard.name)@\(shard.hostName):\(shard.httpsPort)",
            "baselineDirectory": baselineDirectory, "runTag": tag,
        ])
        progress("files: provisioning \(devices) devices on \(shard.name) through DPS (not timed)")
        let provisioned = try await DeviceProvisioner.provision(
            count: devices, groupId: "bench-files-\(tag)", idPrefix: "bench-\(tag)-files", hub: shard, server: server, tls: tls)
        // Incompressible bytes, cheaply: a SplitMix64 stream seeded at random.
        var state = UInt64.random(in: 0...UInt64.max)
        func noise(_ count: Int) -> [UInt8] {
            (0..<count).map { _ in
                state &+= 0x9E37_79B9_7F4A_7C15
                var z = state
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                return UInt8(truncatingIfNeeded: z ^ (z >> 31))
            }
        }
        let small = noise(smallBytes)
        let block = noise(blockMib << 20)

        progress("files: warm-up, one small upload per device (not timed)")
        _ = try await uploadSmall(devices: provisioned, count: devices, contents: ByteBuffer(bytes: small), prefix: "warmup-\(tag)", tls: tls)

        var totals = [String: (bytes: Int64, seconds: Double)]()
        func add(_ key: String, bytes: Int64, elapsed: Duration) {
            let (whole, fraction) = elapsed.components
            totals[key, default: (0, 0)].bytes += bytes
            totals[key, default: (0, 0)].seconds += Double(whole) + Double(fraction) / 1e18
        }
        let smallLabel = "\(smallFiles) × \(smallBytes / 1024) KiB"
        for round in 1...rounds {
            progress("files round \(round): plain write+fsync, \(smallLabel), \(devices) threads")
            let plainSmall = try await PlainWriteBaseline.smallFiles(count: smallFiles, contents: small, concurrency: devices, directory: baselineDirectory)
            report.rows.append(ResultRow(name: "plain write+fsync \(smallLabel), \(devices) threads, round \(round)", operations: plainSmall.files,
                                         failures: 0, elapsed: plainSmall.elapsed, latencies: plainSmall.latencies))
            add("plainSmall", bytes: plainSmall.bytes, elapsed: plainSmall.elapsed)

            progress("files round \(round): upload \(smallLabel) (POST files, Put Blob, notification), \(devices) devices")
            let window = CPUWindow(serverPID: serverPid)
            let upload = try await uploadSmall(devices: provisioned, count: smallFiles, contents: ByteBuffer(bytes: small),
                                               prefix: "small-\(tag)-\(round)", tls: tls)
            report.rows.append(ResultRow(name: "upload \(smallLabel), \(devices) devices, round \(round)", operations: upload.files,
                                         failures: upload.failures, elapsed: upload.elapsed, latencies: upload.steps[0], totals: upload.total,
                                         cpu: window.finish(), firstError: upload.firstError))
            add("uploadSmall", bytes: Int64(upload.files) * Int64(smallBytes), elapsed: upload.elapsed)
            report.notes.append("round \(round) small-file steps p50/p99 ms: POST files \(Self.p(upload.steps[0])), Put Blob \(Self.p(upload.steps[1])), "
                + "notification \(Self.p(upload.steps[2])); whole file \(Self.p(upload.total)) (p50/p99 columns: POST files; all: the whole file)")

            progress("files round \(round): plain write+fsync, \(largeMib) MiB in \(blockMib) MiB writes")
            let plainLarge = try await PlainWriteBaseline.largeFile(block: block, blocks: blocks, directory: baselineDirectory)
            report.rows.append(ResultRow(name: "plain write+fsync \(largeMib) MiB (\(blockMib) MiB writes, one fsync), round \(round)", operations: 1,
                                         failures: 0, elapsed: plainLarge.elapsed, latencies: plainLarge.latencies))
            add("plainLarge", bytes: plainLarge.bytes, elapsed: plainLarge.elapsed)

            progress("files round \(round): upload \(largeMib) MiB as \(blocks) blocks")
            let largeWindow = CPUWindow(serverPID: serverPid)
            let large = try await uploadLarge(device: provisioned[0], block: ByteBuffer(bytes: block), blocks: blocks, name: "large-\(tag)-\(round).bin", tls: tls)
            report.rows.append(ResultRow(name: "upload \(largeMib) MiB (Put Block × \(blocks), Put Block List), round \(round)", operations: 1,
                                         failures: 0, elapsed: large.elapsed, latencies: large.blocks, cpu: largeWindow.finish()))
            add("uploadLarge", bytes: Int64(blocks) * Int64(block.count), elapsed: large.elapsed)
            report.notes.append("round \(round) large file: POST files \(Self.ms(large.initiate)) ms, Put Block p50/p99 \(Self.p(large.blocks)) ms "
                + "(p50/p99 columns), Put Block List \(Self.ms(large.commit)) ms, notification \(Self.ms(large.notify)) ms")
        }
        func megabytesPerSecond(_ key: String) -> Double {
            guard let total = totals[key], total.seconds > 0 else { return 0 }
            return Double(total.bytes) / total.seconds / 1e6
        }
        for (kind, label) in [("Small", smallLabel), ("Large", "\(largeMib) MiB in \(blocks) blocks")] {
            let upload = megabytesPerSecond("upload\(kind)")
            let plain = megabytesPerSecond("plain\(kind)")
            let ratio = plain > 0 ? upload / plain : 0
            report.summary["upload\(kind)MBPerSecond"] = upload
            report.summary["plain\(kind)MBPerSecond"] = plain
            report.summary["ratio\(kind)UploadToPlain"] = ratio
            let figure = "\(label): upload \(String(format: "%.1f", upload)) MB/s, plain write+fsync \(String(format: "%.1f", plain)) MB/s, ratio \(String(format: "%.2f", ratio))"
            report.notes.append((ratio >= Self.targetRatio ? "target met — " : "target missed (< \(Self.targetRatio)) — ") + figure)
        }
        report.summary["targetRatio"] = Self.targetRatio
        report.notes.append("MB = 10^6 bytes; every upload request is durable before its 201/204 (the server fsyncs the staged file, renames it and fsyncs the directory; Put Block List copies the blocks into the blob and fsyncs it)")
        try report.emit()
    }

    /// A small-file run: per-step latencies (POST files, Put Blob, notification) and the whole flow's.
    struct SmallResult: Sendable {
        var files = 0
        var failures = 0
        var firstError: String?
        var elapsed = Duration.zero
        var steps = [LatencySamples(), LatencySamples(), LatencySamples()]
        var total = LatencySamples()
    }

    /// `count` uploads of `contents` spread over the devices, each device one upload at a time on its own connection.
    private func uploadSmall(devices: [ProvisionedDevice], count: Int, contents: ByteBuffer, prefix: String,
                             tls: NIOSSLContext) async throws -> SmallResult {
        var clients: [FileUploadClient] = []
        for device in devices {
            clients.append(FileUploadClient(connection: try await HTTPSConnection.open(host: device.hub.hostName, port: device.hub.httpsPort, tls: tls),
                                            device: device))
        }
        let counter = WorkCounter(limit: count)
        let start = ContinuousClock.now
        var result = await withTaskGroup(of: SmallResult.self) { group in
            for client in clients {
                group.addTask {
                    var mine = SmallResult()
                    while let index = counter.take() {
                        do {
                            let begin = ContinuousClock.now
                            let grant = try await client.initiate(name: "\(prefix)-\(index).bin")
                            let granted = ContinuousClock.now
                            try await client.putBlob(grant, bytes: contents)
                            let written = ContinuousClock.now
                            try await client.notify(grant)
                            let end = ContinuousClock.now
                            mine.steps[0].add(granted - begin)
                            mine.steps[1].add(written - granted)
                            mine.steps[2].add(end - written)
                            mine.total.add(end - begin)
                            mine.files += 1
                        } catch {
                            mine.failures += 1
                            mine.firstError = mine.firstError ?? "\(error)"
                        }
                    }
                    return mine
                }
            }
            var all = SmallResult()
            for await mine in group {
                all.files += mine.files
                all.failures += mine.failures
                all.firstError = all.firstError ?? mine.firstError
                for step in 0..<3 { all.steps[step].merge(mine.steps[step]) }
                all.total.merge(mine.total)
            }
            return all
        }
        result.elapsed = ContinuousClock.now - start
        for client in clients { await client.connection.close() }
        return result
    }

    /// The large-file flow's timings.
    struct LargeResult: Sendable {
        var elapsed: Duration
        var initiate: Duration
        var blocks: LatencySamples
        var commit: Duration
        var notify: Duration
    }

    /// One file of `blocks` × `block` through Put Block (sequentially on one connection, as the SDK's default
    /// `max_concurrency=1` does) and Put Block List. The connection is opened before timing starts.
    private func uploadLarge(device: ProvisionedDevice, block: ByteBuffer, blocks: Int, name: String, tls: NIOSSLContext) async throws -> LargeResult {
        let client = FileUploadClient(connection: try await HTTPSConnection.open(host: device.hub.hostName, port: device.hub.httpsPort, tls: tls),
                                      device: device)
        do {
            let result = try await uploadLarge(client, block: block, blocks: blocks, name: name)
            await client.connection.close()
            return result
        } catch {
            await client.connection.close()
            throw error
        }
    }

    private func uploadLarge(_ client: FileUploadClient, block: ByteBuffer, blocks: Int, name: String) async throws -> LargeResult {
        let start = ContinuousClock.now
        let grant = try await client.initiate(name: name)
        let granted = ContinuousClock.now
        var latencies = LatencySamples()
        var ids: [String] = []
        for index in 0..<blocks {
            let id = FileUploadClient.blockId(index)
            let before = ContinuousClock.now
            try await client.putBlock(grant, blockId: id, bytes: block)
            latencies.add(ContinuousClock.now - before)
            ids.append(id)
        }
        let staged = ContinuousClock.now
        try await client.putBlockList(grant, blockIds: ids)
        let committed = ContinuousClock.now
        try await client.notify(grant)
        let end = ContinuousClock.now
        return LargeResult(elapsed: end - start, initiate: granted - start, blocks: latencies, commit: committed - staged, notify: end - committed)
    }

    private static func ms(_ duration: Duration) -> String {
        let (whole, fraction) = duration.components
        return String(format: "%.1f", (Double(whole) + Double(fraction) / 1e18) * 1000)
    }

    private static func p(_ samples: LatencySamples) -> String {
        String(format: "%.2f/%.2f", samples.percentileMilliseconds(0.5) ?? 0, samples.percentileMilliseconds(0.99) ?? 0)
    }
}
