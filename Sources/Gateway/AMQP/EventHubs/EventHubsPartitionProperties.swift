import Foundation

/// What `com.microsoft:partition` READ and the receiver runtime metric report about a partition.
struct EventHubsPartitionProperties: Sendable, Equatable {
    var entity: String
    var partition: String
    var beginSequenceNumber: Int64
    var lastEnqueuedSequenceNumber: Int64
    var lastEnqueuedOffset: String
    var lastEnqueuedTime: Date
    var isEmpty: Bool
}
