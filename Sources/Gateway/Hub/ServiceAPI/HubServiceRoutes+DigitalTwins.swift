import Foundation
import Hub
import Hummingbird
import AccessControl
import HTTPTypes
import Provisioning

extension HubServiceRoutes {
    /// Plug and Play digital twins over twins and direct methods: `GET|PATCH /digitaltwins/{id}`,
    /// `POST /digitaltwins/{id}/commands/{name}` and `POST /digitaltwins/{id}/components/{c}/commands/{name}`.
    static func addDigitalTwinRoutes<Context: RequestContext>(to routes: RouterGroup<Context>, _ environment: Environment) {
        let shard = environment.shard
        let authenticator = environment.authenticator
        routes.get("digitaltwins/:id") { request, context -> Response in
            try authenticator.authorize(request, permission: .registryRead)
            let id = try context.decodedParameter("id")
            let twin = try await shard.digitalTwin(deviceId: id)
            var headers = HTTPFields()
            headers[.eTag] = "\"\(twin.etag)\""
            return try ServiceJSON.response(twin.document, headers: headers)
        }
        // 202 like IoT Hub: the desired update is committed, the device gets it as a desired-properties patch.
        routes.patch("digitaltwins/:id") { request, context -> Response in
            try authenticator.authorize(request, permission: .serviceConnect)
            let id = try context.decodedParameter("id")
            let operations = try await jsonBody(request, context: context)
            let etag = try await shard.updateDigitalTwin(deviceId: id, operations: operations, ifMatch: ifMatch(request))
            var headers = HTTPFields()
            headers[.eTag] = "\"\(etag)\""
            headers[.location] = "/digitaltwins/\(id)"
            return Response(status: .accepted, headers: headers)
        }
        routes.post("digitaltwins/:id/commands/:name") { request, context -> Response in
            try await command(request, context: context, component: nil, shard: shard, authenticator: authenticator)
        }
        routes.post("digitaltwins/:id/components/:component/commands/:name") { request, context -> Response in
            try await command(request, context: context, component: try context.decodedParameter("component"), shard: shard,
                              authenticator: authenticator)
        }
    }

    /// Calls the command's method; answers 200 with the device's payload and its status in `x-ms-command-statuscode`.
    private static func command(_ request: Request, context: some RequestContext, component: String?, shard: HubShard,
                                authenticator: ServiceAuthenticator) async throws -> Response {
        try authenticator.authorize(request, permission: .serviceConnect)
        let id = try context.decodedParameter("id")
        let name = try context.decodedParameter("name")
        // A command may carry no payload at all (the SDK then sends no body), so an empty body is not an error here.
        let body = try await request.body.collect(upTo: DirectMethodRequest.maximumPayloadSize + 1024)
        let payload: JSONValue?
        if body.readableBytes == 0 {
            payload = nil
        } else {
            do {
                payload = try JSONDecoder().decode(JSONValue.self, from: Data(body.readableBytesView))
            } catch {
                throw ServiceError.badRequest("the command payload is not JSON")
            }
        }
        let query = request.uri.queryParameters
        let answer = try await shard.invokeDigitalTwinCommand(
            deviceId: id, component: component, name: name, payload: payload,
            connectTimeoutInSeconds: try integer(query["connectTimeoutInSeconds"], name: "connectTimeoutInSeconds"),
            responseTimeoutInSeconds: try integer(query["responseTimeoutInSeconds"], name: "responseTimeoutInSeconds")).checked()
        var headers = HTTPFields()
        headers[.msCommandStatusCode] = String(answer.status)
        return try ServiceJSON.response(answer.payload ?? .null, headers: headers)
    }
}

extension HTTPField.Name {
    /// `x-ms-command-statuscode`: the status the device answered a digital twin command with.
    fileprivate static let msCommandStatusCode = HTTPField.Name("x-ms-command-statuscode")!
}
