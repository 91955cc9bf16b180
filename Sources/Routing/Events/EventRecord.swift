import Foundation

/// A routed message as an endpoint receives it: body, application properties (enrichments included) and system properties.
public struct EventRecord: Sendable, Equatable {
    /// The device it came from or is about.
    public var deviceId: String
    /// The module, if any.
    public var moduleId: String?
    /// Body bytes as sent.
    public var body: [UInt8]
    /// Application properties.
    public var properties: [String: String]
    /// System properties (`iothub-connection-device-id`, `iothub-enqueuedtime`, `iothub-message-source`, …).
    public var systemProperties: [String: String]

    /// Creates a record.
    public init(deviceId: String, moduleId: String? = nil, body: [UInt8], properties: [String: String], systemProperties: [String: String]) {
        self.deviceId = deviceId
        self.moduleId = moduleId
        self.body = body
        self.properties = properties
        self.systemProperties = systemProperties
    }
}

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

/// One event to append to one endpoint's partition.
public struct EventAppend: Sendable, Equatable {
    /// Endpoint name.
    public var endpoint: String
    /// Target partition.
    public var partition: Int
    /// The event.
    public var record: EventRecord

    /// Creates an append.
    public init(endpoint: String, partition: Int, record: EventRecord) {
        self.endpoint = endpoint
        self.partition = partition
        self.record = record
    }
}

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
