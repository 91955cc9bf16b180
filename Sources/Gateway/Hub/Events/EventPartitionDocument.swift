import Routing

/// `GET /events/partitions` entries: `{"partitionId": "0", "firstSequenceNumber": n, "lastSequenceNumber": m}`.
struct EventPartitionDocument: Codable, Sendable, Equatable {
    var partitionId: String
    var firstSequenceNumber: Int64
    var lastSequenceNumber: Int64

    init(_ range: EventPartitionRange) {
        partitionId = String(range.partition)
        firstSequenceNumber = range.firstSequenceNumber
        lastSequenceNumber = range.lastSequenceNumber
    }
}
