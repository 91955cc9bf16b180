import GRDB
import Synchronization

/// A few read-only connections for the short lookups every device request makes, read synchronously on the calling
/// thread.
///
/// An asynchronous `DatabasePool` read costs two thread hand-offs, more than such a lookup itself. A synchronous
/// read from the pool would avoid them but can deadlock: pooled readers are released by tasks that need a thread of
/// the cooperative pool, which synchronous waiters may all be blocking. These connections are never held across a
/// suspension point: whoever waits for one waits only for another thread's running SQLite read. In WAL mode they
/// see every transaction committed before the read starts, the writer never blocks them, and each read is one
/// consistent snapshot.
final class HotReadConnections: Sendable {
    private let queues: [DatabaseQueue]
    private let next = Atomic<Int>(0)

    /// Opens `count` read-only connections to the (already created and migrated) database at `path`.
    init(path: String, count: Int) throws {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.label = "provisio.hot-read"
        configuration.busyMode = .timeout(10)
        queues = try (0..<max(1, count)).map { _ in try DatabaseQueue(path: path, configuration: configuration) }
    }

    /// Runs `body` in a read transaction on one of the connections, on the calling thread.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        let index = next.wrappingAdd(1, ordering: .relaxed).oldValue % queues.count
        return try queues[index].read(body)
    }
}
