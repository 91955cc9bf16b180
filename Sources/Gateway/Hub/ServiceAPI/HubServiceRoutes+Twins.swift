import Hub
import Hummingbird
import AccessControl
import HTTPTypes
import Provisioning

extension HubServiceRoutes {
    /// `/twins/{id}` (read, merge, replace) and `/devices/query`.
    static func addTwinRoutes<Context: RequestContext>(to routes: RouterGroup<Context>, _ environment: Environment) {
        let shard = environment.shard
        let authenticator = environment.authenticator
        routes.get("twins/:id") { request, context -> Response in
            try authenticator.authorize(request, permission: .registryRead)
            let id = try context.decodedParameter("id")
            return try ServiceJSON.response(environment.live(twin: try await shard.serviceTwin(deviceId: id), deviceId: id))
        }
        routes.patch("twins/:id") { request, context -> Response in
            try authenticator.authorize(request, permission: .serviceConnect)
            let id = try context.decodedParameter("id")
            let patch = try await twinDocument(request, context: context)
            let twin = try await shard.updateTwin(deviceId: id, patch: patch, ifMatch: ifMatch(request))
            return try ServiceJSON.response(environment.live(twin: twin, deviceId: id))
        }
        routes.put("twins/:id") { request, context -> Response in
            try authenticator.authorize(request, permission: .serviceConnect)
            let id = try context.decodedParameter("id")
            let document = try await twinDocument(request, context: context)
            let twin = try await shard.replaceTwin(deviceId: id, twin: document, ifMatch: ifMatch(request))
            return try ServiceJSON.response(environment.live(twin: twin, deviceId: id))
        }
        routes.post("devices/query") { request, context -> Response in
            try authenticator.authorize(request, permission: .registryRead)
            let body = try await ServiceJSON.decode(TwinQueryRequest.self, from: request, context: context)
            let pageSize = try integer(request.headers[.msMaxItemCount].map { Substring($0) }, name: "x-ms-max-item-count")
            let page = try await shard.queryTwins(
                body.query, pageSize: pageSize ?? TwinQueryPage.defaultPageSize,
                continuationToken: request.headers[.msContinuation], presence: environment.presence)
            var headers = HTTPFields()
            headers[.msItemType] = "twin"
            if let token = page.continuationToken { headers[.msContinuation] = token }
            return try ServiceJSON.response(page.items, headers: headers)
        }
    }

    /// A twin body: a JSON object (`{"tags":…, "properties":{"desired":…}}`).
    private static func twinDocument(_ request: Request, context: some RequestContext) async throws -> JSONValue {
        let document = try await jsonBody(request, context: context)
        guard document.objectValue != nil else { throw ServiceError.badRequest("a twin must be a JSON object") }
        for section in ["tags", "properties"] {
            if let value = document[section], value != .null, value.objectValue == nil {
                throw ServiceError.badRequest("'\(section)' must be a JSON object")
            }
        }
        if let desired = document["properties"]?["desired"], desired != .null, desired.objectValue == nil {
            throw ServiceError.badRequest("'properties.desired' must be a JSON object")
        }
        return document
    }
}

/// The body of `POST /devices/query`.
struct TwinQueryRequest: Decodable, Sendable {
    /// `SELECT * FROM devices [WHERE …]`.
    var query: String
}
