import Foundation
import Hummingbird
import HTTPTypes
import Routing
import ServiceLifecycle

/// `GET /events[/{endpoint}]/stream`: a Server-Sent Events live tail of an event log. Each event is
/// `id: {partition}:{sequenceNumber}` + `data: {event document}`; a comment line every 15 s keeps proxies open.
///
/// Where each partition starts: after the consumer group's checkpoint when it has one, else at the end (only new
/// events) or, with `start=earliest`, at the oldest retained event. `partition=N` limits it to one partition.
/// The stream does not move checkpoints. It ends when the server shuts down.
enum EventStream {
    static func response(routing: ShardRouting, endpoint: String, query: Parameters) async throws -> Response {
        let configuration = try routing.eventLog(endpoint)
        let group = HubEventRoutes.consumerGroup(query)
        var partitions = Array(0..<configuration.effectivePartitionCount)
        if let only = query["partition"] {
            guard let partition = Int(only), partitions.contains(partition) else {
                throw RoutingError(.notFound, "no partition \(only) (the log has \(partitions.count))")
            }
            partitions = [partition]
        }
        let earliest = query["start"].map { $0.lowercased() == "earliest" } ?? false
        let ranges = try await routing.partitions(endpoint: endpoint)
        var positions: [Int: Int64] = [:]
        for partition in partitions {
            if let checkpoint = try? await routing.checkpoint(endpoint: endpoint, consumerGroup: group, partition: partition) {
                positions[partition] = checkpoint < .max ? checkpoint + 1 : .max
            } else {
                let range = ranges[partition]
                positions[partition] = earliest ? range.firstSequenceNumber : range.lastSequenceNumber + 1
            }
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        let start = positions
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            // An endless response would hold graceful shutdown for its whole grace period; end it instead.
            let shutdown = WakeSignal()
            try await withGracefulShutdownHandler {
                try await stream(routing: routing, endpoint: endpoint, from: start, to: &writer, until: shutdown)
            } onGracefulShutdown: {
                shutdown.notify()
                routing.appended.notify()
            }
            try await writer.finish(nil)
        })
    }

    private static func stream(routing: ShardRouting, endpoint: String, from start: [Int: Int64],
                               to writer: inout any ResponseBodyWriter, until shutdown: WakeSignal) async throws {
        var positions = start
        try await writer.write(ByteBuffer(string: ": provisio event stream\n\n"))
        var lastWrite = ContinuousClock.now
        while !Task.isCancelled, shutdown.version == 0 {
            let version = routing.appended.version
            var wrote = false
            for partition in positions.keys.sorted() {
                let events = try await routing.events(endpoint: endpoint, partition: partition, from: positions[partition] ?? 0, limit: 200)
                guard let last = events.last else { continue }
                var chunk = ""
                for event in events {
                    chunk += "id: \(event.partition):\(event.sequenceNumber)\nevent: event\ndata: "
                    chunk += String(decoding: try EventDocument.encode(event), as: UTF8.self) + "\n\n"
                }
                try await writer.write(ByteBuffer(string: chunk))
                positions[partition] = last.sequenceNumber + 1
                wrote = true
            }
            if wrote {
                lastWrite = .now
                continue
            }
            if lastWrite.duration(to: .now) >= .seconds(15) {
                try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                lastWrite = .now
            }
            await routing.appended.wait(since: version, timeout: .seconds(15))
        }
    }
}
