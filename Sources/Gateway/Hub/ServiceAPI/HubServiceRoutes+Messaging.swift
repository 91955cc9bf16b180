import Foundation
import Hub
import Hummingbird
import AccessControl
import HTTPTypes
import Provisioning

extension HubServiceRoutes {
    /// Direct methods, and Provisio's REST forms of C2D send, feedback and purge.
    static func addMessagingRoutes<Context: RequestContext>(to routes: RouterGroup<Context>, _ environment: Environment) {
        let shard = environment.shard
        let authenticator = environment.authenticator
        routes.post("twins/:id/methods") { request, context -> Response in
            try authenticator.authorize(request, permission: .serviceConnect)
            let id = try context.decodedParameter("id")
            let call = try await ServiceJSON.decode(DirectMethodRequest.self, from: request, context: context)
            let answer = try await shard.invokeMethod(deviceId: id, moduleId: nil, request: call).checked()
            return try ServiceJSON.response(JSONValue.object([
                "status": .number(Double(answer.status)), "payload": answer.payload ?? .null,
            ]))
        }
        // 204 with the hub-assigned (or caller's) message id in `x-ms-message-id`: the queued message is durable.
        routes.post("devices/:id/messages/deviceBound") { request, context -> Response in
            try authenticator.authorize(request, permission: .serviceConnect)
            let id = try context.decodedParameter("id")
            let body = try await ServiceJSON.decode(CloudToDeviceRequest.self, from: request, context: context)
            let message = try await shard.sendCloudToDevice(
                deviceId: id, body: Array((body.payload ?? "").utf8), messageId: body.messageId, correlationId: body.correlationId,
                contentType: body.contentType, contentEncoding: body.contentEncoding, properties: body.properties ?? [:],
                timeToLive: body.ttlSeconds, ack: try body.feedbackRequest())
            var headers = HTTPFields()
            headers[.msMessageId] = message.messageId
            return Response(status: .noContent, headers: headers)
        }
        routes.get("messages/serviceBound/feedback") { request, _ -> Response in
            try authenticator.authorize(request, permission: .serviceConnect)
            return try ServiceJSON.response(try await shard.takeFeedback())
        }
        routes.delete("devices/:id/commands") { request, context -> Response in
            try authenticator.authorize(request, permission: .serviceConnect)
            let id = try context.decodedParameter("id")
            let purged = try await shard.purgeCloudToDevice(deviceId: id)
            let deviceId = try await shard.device(id).deviceId
            return try ServiceJSON.response(JSONValue.object([
                "totalMessagesPurged": .number(Double(purged)), "deviceId": .string(deviceId),
            ]))
        }
    }
}
