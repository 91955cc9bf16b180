import Dispatch
import Foundation
import Synchronization

/// The baseline for file upload: the same bytes written with plain `write` + `fsync` into fresh files next to the server's
/// data directory, on threads of their own (blocking I/O must not occupy the few cooperative threads).
enum PlainWriteBaseline {
    /// A measured baseline phase.
    struct Result: Sendable {
        var files: Int
        var bytes: Int64
        var elapsed: Duration
        var latencies: LatencySamples
    }

    /// `count` files of `contents`, each created, written, fsynced and closed, by `concurrency` threads at once.
    static func smallFiles(count: Int, contents: [UInt8], concurrency: Int, directory: String) async throws -> Result {
        let folder = try scratchFolder(in: directory)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let counter = WorkCounter(limit: count)
        let samples = Mutex(LatencySamples())
        let failure = Mutex<String?>(nil)
        let start = ContinuousClock.now
        await onThreads(concurrency) {
            var mine = LatencySamples()
            while let index = counter.take() {
                let before = ContinuousClock.now
                do {
                    try write(contents, blocks: 1, to: "\(folder)/file-\(index)")
                    mine.add(ContinuousClock.now - before)
                } catch {
                    failure.withLock { $0 = $0 ?? "\(error)" }
                }
            }
            samples.withLock { $0.merge(mine) }
        }
        let elapsed = ContinuousClock.now - start
        if let message = failure.withLock({ $0 }) { throw BenchmarkError(message) }
        let latencies = samples.withLock { $0 }
        return Result(files: latencies.count, bytes: Int64(latencies.count) * Int64(contents.count), elapsed: elapsed, latencies: latencies)
    }

    /// One file of `blocks` × `block`, written block by block and fsynced once at the end.
    static func largeFile(block: [UInt8], blocks: Int, directory: String) async throws -> Result {
        let folder = try scratchFolder(in: directory)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let failure = Mutex<String?>(nil)
        let start = ContinuousClock.now
        await onThreads(1) {
            do {
                try write(block, blocks: blocks, to: "\(folder)/large")
            } catch {
                failure.withLock { $0 = "\(error)" }
            }
        }
        let elapsed = ContinuousClock.now - start
        if let message = failure.withLock({ $0 }) { throw BenchmarkError(message) }
        var latencies = LatencySamples()
        latencies.add(elapsed)
        return Result(files: 1, bytes: Int64(blocks) * Int64(block.count), elapsed: elapsed, latencies: latencies)
    }

    /// Creates `path`, writes `bytes` `blocks` times, fsyncs and closes it.
    private static func write(_ bytes: [UInt8], blocks: Int, to path: String) throws {
        let descriptor = open(path, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw BenchmarkError("cannot create \(path)") }
        defer { close(descriptor) }
        for _ in 0..<blocks {
            var offset = 0
            while offset < bytes.count {
                let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
                if written < 0, errno == EINTR { continue }
                guard written > 0 else { throw BenchmarkError("write to \(path) failed (errno \(errno))") }
                offset += written
            }
        }
        guard fsync(descriptor) == 0 else { throw BenchmarkError("fsync of \(path) failed (errno \(errno))") }
    }

    private static func scratchFolder(in directory: String) throws -> String {
        let folder = (directory as NSString).appendingPathComponent("provisio-bench-plain-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Runs `work` on `count` threads and returns when all have finished.
    private static func onThreads(_ count: Int, _ work: @escaping @Sendable () -> Void) async {
        let group = DispatchGroup()
        for _ in 0..<count {
            group.enter()
            Thread.detachNewThread {
                work()
                group.leave()
            }
        }
        await withCheckedContinuation { continuation in
            group.notify(queue: .global()) { continuation.resume() }
        }
    }
}
