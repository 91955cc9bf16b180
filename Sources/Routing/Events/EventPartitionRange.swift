/// The sequence numbers a partition holds: `first…last`; empty when `first > last` (then `first` is the next one).
public struct EventPartitionRange: Sendable, Equatable {
    /// Partition.
    public var partition: Int
    /// Oldest retained sequence number, or the next one when empty.
    public var firstSequenceNumber: Int64
    /// Newest sequence number, -1 before the first event.
    public var lastSequenceNumber: Int64

    /// Creates a range.
    public init(partition: Int, firstSequenceNumber: Int64, lastSequenceNumber: Int64) {
        self.partition = partition
        self.firstSequenceNumber = firstSequenceNumber
        self.lastSequenceNumber = lastSequenceNumber
    }
}
