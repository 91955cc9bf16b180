import Synchronization

/// Bounds on telemetry read from devices but not yet committed: per connection (messages and bytes) and across all
/// connections (bytes). Over a bound, a connection stops reading (TCP back-pressure) until its own messages commit;
/// nothing is refused. The global count is one atomic add per message and one subtract per commit batch: no lock.
public final class UncommittedTelemetryBudget: Sendable {
    /// Messages one connection may have waiting for their commit before it stops reading.
    public let messagesPerConnection: Int
    /// Bytes (topic and payload) one connection may have waiting for their commit before it stops reading.
    public let bytesPerConnection: Int
    /// Bytes all connections together may have waiting; over it, connections with waiting messages stop reading.
    public let totalBytes: Int
    private let outstanding = Atomic<Int>(0)

    /// Creates the bounds (each at least 1).
    public init(messagesPerConnection: Int = 64, bytesPerConnection: Int = 1024 * 1024, totalBytes: Int = 256 * 1024 * 1024) {
        self.messagesPerConnection = max(1, messagesPerConnection)
        self.bytesPerConnection = max(1, bytesPerConnection)
        self.totalBytes = max(1, totalBytes)
    }

    /// Bytes waiting for their commit now, over all connections.
    public var outstandingBytes: Int {
        outstanding.load(ordering: .relaxed)
    }

    /// Whether all connections together are over ``totalBytes``.
    var isOverTotal: Bool {
        outstanding.load(ordering: .relaxed) >= totalBytes
    }

    /// Counts `bytes` read and waiting for their commit.
    func add(_ bytes: Int) {
        outstanding.wrappingAdd(bytes, ordering: .relaxed)
    }

    /// Counts `bytes` committed (or given up).
    func remove(_ bytes: Int) {
        outstanding.wrappingSubtract(bytes, ordering: .relaxed)
    }

    /// Whether a connection with `messages` and `bytes` waiting must stop reading. With nothing of its own waiting it
    /// may read: it has no commit of its own that would wake it, and one read is bounded by the packet size limit.
    func mustPause(messages: Int, bytes: Int) -> Bool {
        messages >= messagesPerConnection || bytes >= bytesPerConnection || (messages > 0 && isOverTotal)
    }
}
