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
