import Foundation
import Hub
import Hummingbird
import HTTPTypes
import AccessControl
import Routing

/// The events API of one shard: the built-in `events` log under `/events/…` and every other event-log endpoint under
/// `/events/{endpoint}/…`, each with `partitions`, `partitions/{p}` (reads with long polling), consumer-group
/// `checkpoints` and a Server-Sent Events `stream`. Needs the `serviceConnect` permission, like IoT Hub's
/// Event Hubs-compatible endpoint.
public enum HubEventRoutes {
    /// Adds the events and routing routes for `routing`.
    public static func add<Context: RequestContext>(to router: Router<Context>, routing: ShardRouting, authenticator: ServiceAuthenticator) {
        let routes = router.group().add(middleware: HubErrorMiddleware()).add(middleware: RoutingErrorMiddleware())
        addLogRoutes(to: routes, prefix: "events", endpoint: { _ in BuiltInEndpoint.name }, routing: routing, authenticator: authenticator)
        addLogRoutes(to: routes, prefix: "events/:endpoint", endpoint: { try $0.decodedParameter("endpoint") }, routing: routing,
                     authenticator: authenticator)
        HubRoutingRoutes.add(to: routes, routing: routing, authenticator: authenticator)
    }

    private static func addLogRoutes<Context: RequestContext>(
        to routes: RouterGroup<Context>, prefix: String, endpoint name: @escaping @Sendable (Context) throws -> String,
        routing: ShardRouting, authenticator: ServiceAuthenticator
    ) {
        routes.get("\(prefix)/partitions") { request, context -> Response in
            try authenticator.authorize(request, permission: .serviceConnect)
            let ranges = try await routing.partitions(endpoint: try name(context))
            return try ServiceJSON.response(ranges.map(EventPartitionDocument.init))
        }
        routes.get("\(prefix)/partitions/:partition") { request, context -> Response in
            try authenticator.authorize(request, permission: .serviceConnect)
            let query = request.uri.queryParameters
            let partition = try partitionParameter(context)
            let wait = try HubServiceRoutes.integer(query["waitSeconds"], name: "waitSeconds") ?? 0
            guard (0...60).contains(wait) else { throw HubError.badRequest("waitSeconds must be 0–60") }
            let maxCount = try HubServiceRoutes.integer(query["maxCount"], name: "maxCount") ?? 100
            guard (1...1000).contains(maxCount) else { throw HubError.badRequest("maxCount must be 1–1000") }
            let from = try HubServiceRoutes.integer(query["fromSequenceNumber"], name: "fromSequenceNumber").map(Int64.init)
            let events = try await routing.read(
                endpoint: try name(context), partition: partition, consumerGroup: consumerGroup(query), fromSequenceNumber: from,
                maxCount: maxCount, wait: .seconds(wait))
            return jsonResponse(try EventDocument.encode(events))
        }
        routes.get("\(prefix)/consumergroups/:group/checkpoints/:partition") { request, context -> Response in
            try authenticator.authorize(request, permission: .serviceConnect)
            let sequenceNumber = try await routing.checkpoint(endpoint: try name(context), consumerGroup: try context.decodedParameter("group"),
                                                              partition: try partitionParameter(context))
            return try ServiceJSON.response(CheckpointDocument(sequenceNumber: sequenceNumber))
        }
        routes.put("\(prefix)/consumergroups/:group/checkpoints/:partition") { request, context -> Response in
            try authenticator.authorize(request, permission: .serviceConnect)
            let checkpoint = try await ServiceJSON.decode(CheckpointDocument.self, from: request, context: context)
            try await routing.setCheckpoint(endpoint: try name(context), consumerGroup: try context.decodedParameter("group"),
                                            partition: try partitionParameter(context), sequenceNumber: checkpoint.sequenceNumber)
            return try ServiceJSON.response(checkpoint)
        }
        routes.get("\(prefix)/stream") { request, context -> Response in
            try authenticator.authorize(request, permission: .serviceConnect)
            return try await EventStream.response(routing: routing, endpoint: try name(context), query: request.uri.queryParameters)
        }
    }

    static func consumerGroup(_ query: Parameters) -> String {
        query["consumerGroup"].map(String.init).flatMap { $0.removingPercentEncoding ?? $0 } ?? "$Default"
    }

    private static func partitionParameter(_ context: some RequestContext) throws -> Int {
        guard let partition = Int(try context.decodedParameter("partition")) else {
            throw HubError.badRequest("the partition must be a whole number")
        }
        return partition
    }

    static func jsonResponse(_ bytes: [UInt8]) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
