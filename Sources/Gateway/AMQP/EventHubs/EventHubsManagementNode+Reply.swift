import AMQPCodec

extension EventHubsManagementNode.Reply {
    /// The reply body: an amqp-value map with string keys, in the types the clients read (reference §5.2).
    var body: AMQPValue {
        var map = AMQPMap()
        switch self {
        case .eventHub(let name, let createdAt, let partitionIds):
            map[string: "name"] = .string(name)
            map[string: "type"] = .string("com.microsoft:eventhub")
            map[string: "created_at"] = .timestamp(createdAt)
            map[string: "partition_count"] = .int(Int32(clamping: partitionIds.count))
            map[string: "partition_ids"] = .array(.strings(partitionIds))
        case .partition(let properties):
            map[string: "name"] = .string(properties.entity)
            map[string: "type"] = .string("com.microsoft:partition")
            map[string: "partition"] = .string(properties.partition)
            map[string: "begin_sequence_number"] = .long(properties.beginSequenceNumber)
            map[string: "last_enqueued_sequence_number"] = .long(properties.lastEnqueuedSequenceNumber)
            map[string: "last_enqueued_offset"] = .string(properties.lastEnqueuedOffset)
            map[string: "last_enqueued_time_utc"] = .timestamp(properties.lastEnqueuedTime)
            map[string: "is_partition_empty"] = .bool(properties.isEmpty)
        }
        return .map(map)
    }
}
