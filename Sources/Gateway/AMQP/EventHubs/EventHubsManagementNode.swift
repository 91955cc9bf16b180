import Foundation
import Routing

/// The Event Hubs `$management` node of a shard: READ of `com.microsoft:eventhub` and `com.microsoft:partition` over
/// the built-in `events` log. Takes the request's application properties and answers a typed reply; the AMQP edge
/// turns it into the reply message (§5.2 of the wire reference).
struct EventHubsManagementNode: Sendable {
    /// What a READ answers.
    enum Reply: Sendable, Equatable {
        /// `com.microsoft:eventhub`.
        case eventHub(name: String, createdAt: Date, partitionIds: [String])
        /// `com.microsoft:partition`.
        case partition(EventHubsPartitionProperties)
    }

    /// A refused request: an HTTP-like status and a public description.
    struct Failure: Error, Sendable, Equatable {
        var status: Int32
        var description: String
    }

    /// The built-in event log the endpoint serves.
    static let endpoint = "events"

    let entity: String
    let createdAt: Date
    let routing: ShardRouting

    /// Answers one request; `properties` are its application properties (string values).
    func handle(_ properties: [String: String]) async -> Result<Reply, Failure> {
        guard properties["operation"] == "READ" else {
            return .failure(Failure(status: 400, description: "the operation '\(properties["operation"] ?? "")' is not supported"))
        }
        guard let name = properties["name"], name.lowercased() == entity.lowercased() else {
            return .failure(Failure(status: 404, description: "no event hub '\(properties["name"] ?? "")' here"))
        }
        do {
            let ranges = try await routing.partitions(endpoint: Self.endpoint)
            switch properties["type"] {
            case "com.microsoft:eventhub":
                return .success(.eventHub(name: entity, createdAt: createdAt, partitionIds: ranges.map { String($0.partition) }))
            case "com.microsoft:partition":
                guard let text = properties["partition"], let range = ranges.first(where: { String($0.partition) == text }) else {
                    return .failure(Failure(status: 404, description: "no partition '\(properties["partition"] ?? "")'"))
                }
                return .success(.partition(try await partitionProperties(range)))
            default:
                return .failure(Failure(status: 400, description: "the type '\(properties["type"] ?? "")' is not supported"))
            }
        } catch {
            return .failure(Failure(status: 500, description: "the event log could not be read"))
        }
    }

    func partitionProperties(_ range: EventPartitionRange) async throws -> EventHubsPartitionProperties {
        let empty = range.lastSequenceNumber < max(range.firstSequenceNumber, 0)
        var lastTime = Date(timeIntervalSince1970: 0)
        if !empty, let last = try await routing.events(endpoint: Self.endpoint, partition: range.partition,
                                                       from: range.lastSequenceNumber, limit: 1).first {
            lastTime = last.enqueuedTime
        }
        return EventHubsPartitionProperties(
            entity: entity, partition: String(range.partition), beginSequenceNumber: range.firstSequenceNumber,
            lastEnqueuedSequenceNumber: range.lastSequenceNumber,
            lastEnqueuedOffset: EventPosition.offset(ofSequenceNumber: range.lastSequenceNumber),
            lastEnqueuedTime: lastTime, isEmpty: empty)
    }
}
