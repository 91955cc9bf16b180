import Foundation

/// An event at its place in an endpoint's log.
public struct StoredEvent: Sendable, Equatable {
    /// Partition (chosen by device id).
    public var partition: Int
    /// Position in the partition, from 0, never reused.
    public var sequenceNumber: Int64
    /// When routing appended it.
    public var enqueuedTime: Date
    /// The event.
    public var record: EventRecord

    /// Creates a stored event.
    public init(partition: Int, sequenceNumber: Int64, enqueuedTime: Date, record: EventRecord) {
        self.partition = partition
        self.sequenceNumber = sequenceNumber
        self.enqueuedTime = enqueuedTime
        self.record = record
    }
}
