import Foundation

/// How fast this machine's disk makes a small write durable: sequential `write` + `fsync` of 4 KiB in one file.
/// Every acknowledged registration waits for SQLite commits (WAL, `synchronous=FULL`), so this is the floor
/// under a registration's latency and, without group commit, the ceiling of serial commits per second.
enum FsyncProbe {
    static func run(directory: String, count: Int = 300) throws -> (elapsed: Duration, latencies: LatencySamples) {
        let path = (directory as NSString).appendingPathComponent("provisio-bench-fsync-\(getpid()).tmp")
        let descriptor = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0o600)
        guard descriptor >= 0 else { throw BenchmarkError("cannot create \(path) for the fsync probe") }
        defer {
            close(descriptor)
            unlink(path)
        }
        let block = [UInt8](repeating: 0x5a, count: 4096)
        var latencies = LatencySamples()
        let start = ContinuousClock.now
        for _ in 0..<count {
            let before = ContinuousClock.now
            let written = block.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard written == block.count, fsync(descriptor) == 0 else { throw BenchmarkError("write/fsync failed in \(directory)") }
            latencies.add(ContinuousClock.now - before)
        }
        return (ContinuousClock.now - start, latencies)
    }
}
