import AccessControl
import AMQPCodec
import Foundation
import Hub
import Routing

/// The Event Hubs-compatible side of a shard's AMQP connections: partition receivers (starting positions, owner
/// levels, runtime metrics) and the redirect of the hub's own `messages/events` address.
extension AMQPServedConnection {
    mutating func attachPartition(_ request: AMQPLinkRequest, entity: String, consumerGroup: String, partition: String,
                                          requirement: AMQPConnectionClaims.Requirement?, into step: inout Step, now: Date) {
        guard entity.lowercased() == endpoint.entity.lowercased(), let routing = endpoint.routing,
              let number = Int(partition), let range = try? routing.eventLog(EventHubsManagementNode.endpoint),
              (0..<range.effectivePartitionCount).contains(number) else {
            refuse(request, AMQPError(condition: AMQPError.Condition.notFound,
                                      description: "no partition '\(partition.prefix(20))' of event hub '\(entity.prefix(100))' here"),
                   into: &step, now: now)
            return
        }
        let position: EventPosition
        do {
            position = try request.attach.source?.selectorFilter.map { text throws(EventPositionError) in
                try EventPosition(selector: text)
            } ?? .unfiltered
        } catch {
            let condition: AMQPSymbol = error.code == .outOfRange ? "com.microsoft:argument-out-of-range" : "com.microsoft:argument-error"
            refuse(request, AMQPError(condition: condition, description: error.message), into: &step, now: now)
            return
        }
        let ownerLevel = request.attach.properties?[symbol: "com.microsoft:epoch"]?.signedInteger
        let id = request.id
        let displaced = AMQPDisplacement(id: id)
        guard let ownership = endpoint.ownership.claim(consumerGroup: consumerGroup, partition: partition, ownerLevel: ownerLevel,
                                                       displace: displaced.signal) else {
            refuse(request, AMQPError(condition: AMQPError.Condition.stolen,
                                      description: "a receiver with a higher owner level (epoch) reads partition \(partition) of consumer group \(consumerGroup)"),
                   into: &step, now: now)
            return
        }
        displacements[id] = displaced
        let metrics = request.attach.desiredCapabilities.contains("com.microsoft:enable-receiver-runtime-metric")
        var state = AMQPServedLink.Partition(feed: EventHubsPartitionFeed(routing: routing, partition: number), position: position,
                                             runtimeMetric: metrics, ownership: ownership)
        state.generation = 1
        accept(request, AMQPServedLink(kind: .partition(state), requirement: requirement), into: &step, now: now)
        let feed = state.feed
        step.work.append(AMQPLinkWork {
            do {
                let start = try await position.startSequenceNumber(routing: feed.routing, endpoint: EventHubsManagementNode.endpoint,
                                                                   partition: feed.partition)
                return .positioned(id, generation: 1, .success(start))
            } catch let error as EventPositionError {
                return .positioned(id, generation: 1, .failure(AMQPError(
                    condition: error.code == .outOfRange ? "com.microsoft:argument-out-of-range" : "com.microsoft:argument-error",
                    description: error.message)))
            } catch {
                return .positioned(id, generation: 1, .failure(AMQPError(condition: AMQPError.Condition.internalError,
                                                                          description: "the event log could not be read")))
            }
        })
    }

    /// `messages/events/…` on the hub's own name: accepted, then detached with `amqp:link:redirect` to the Event
    /// Hubs-compatible address, as IoT Hub does (the samples read `hostname` and `address` from the info).
    mutating func redirect(_ request: AMQPLinkRequest, suffix: String, into step: inout Step, now: Date) {
        var info = AMQPMap()
        info[symbol: "hostname"] = .string(endpoint.hostName)
        info[symbol: "network-host"] = .string(endpoint.hostName)
        info[symbol: "port"] = .int(Int32(clamping: endpoint.amqpPort))
        info[symbol: "address"] = .string("amqps://\(endpoint.hostName):\(endpoint.amqpPort)/\(endpoint.entity)/\(suffix)")
        perform(machine.acceptAttach(request), into: &step, now: now)
        perform(machine.detach(request.id, error: AMQPError(condition: AMQPError.Condition.linkRedirect,
                                                            description: "the events of this hub are at its Event Hubs-compatible endpoint",
                                                            info: info)), into: &step, now: now)
    }
}
