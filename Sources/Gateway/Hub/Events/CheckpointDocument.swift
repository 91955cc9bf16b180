/// The body of `PUT`/`GET /events/consumergroups/{cg}/checkpoints/{p}`: `{"sequenceNumber": n}`.
struct CheckpointDocument: Codable, Sendable, Equatable {
    var sequenceNumber: Int64
}
