/// Serialises the service's registry writes per device (`shard/device key`), so a create-if-absent cannot race
/// another create of the same id into a silent overwrite. Other devices proceed in parallel.
actor DeviceWriteLock {
    /// The process-wide lock: every `HubShard` value of a shard shares the one registry row per device.
    static let shared = DeviceWriteLock()

    private var waiters: [String: [CheckedContinuation<Void, Never>]] = [:]

    /// Runs `body` while holding the lock for `key`.
    func withLock<T: Sendable>(_ key: String, _ body: @Sendable () async throws -> T) async throws -> T {
        await acquire(key)
        defer { release(key) }
        return try await body()
    }

    private func acquire(_ key: String) async {
        guard waiters[key] != nil else {
            waiters[key] = []
            return
        }
        await withCheckedContinuation { waiters[key, default: []].append($0) }
    }

    private func release(_ key: String) {
        guard var queue = waiters[key] else { return }
        if queue.isEmpty {
            waiters[key] = nil
        } else {
            let next = queue.removeFirst()
            waiters[key] = queue
            next.resume()
        }
    }
}
