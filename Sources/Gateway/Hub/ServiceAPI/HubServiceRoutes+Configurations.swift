import Hub
import Hummingbird
import AccessControl
import Provisioning

extension HubServiceRoutes {
    /// Automatic device configurations (`/configurations…`) and `POST /devices/{id}/applyConfigurationContent`.
    static func addConfigurationRoutes<Context: RequestContext>(to routes: RouterGroup<Context>, _ environment: Environment) {
        let shard = environment.shard
        let authenticator = environment.authenticator
        routes.post("configurations/testQueries") { request, context -> Response in
            try authenticator.authorize(request, permission: .registryRead)
            let body = try await jsonBody(request, context: context)
            let condition = try queryText(body["targetCondition"], name: "targetCondition")
            var metrics: [String: String] = [:]
            if let queries = body["customMetricQueries"], queries != .null {
                guard let members = queries.objectValue else { throw ServiceError.badRequest("'customMetricQueries' must be an object") }
                for (name, query) in members { metrics[name] = try queryText(query, name: "customMetricQueries.\(name)") }
            }
            let (conditionError, metricErrors) = shard.testConfigurationQueries(targetCondition: condition, metricQueries: metrics)
            return try ServiceJSON.response(JSONValue.object([
                "targetConditionError": .string(conditionError),
                "customMetricQueryErrors": .object(metricErrors.mapValues { .string($0) }),
            ]))
        }
        routes.put("configurations/:id") { request, context -> Response in
            try authenticator.authorize(request, permission: .registryWrite)
            let id = try context.decodedParameter("id")
            let specification = try ConfigurationSpecification(id: id, document: try await jsonBody(request, context: context))
            let configuration = try await shard.createOrUpdateConfiguration(specification, ifMatch: ifMatch(request))
            return try ServiceJSON.response(configuration.document)
        }
        routes.get("configurations/:id") { request, context -> Response in
            try authenticator.authorize(request, permission: .registryRead)
            return try ServiceJSON.response(try await shard.configuration(try context.decodedParameter("id")).document)
        }
        routes.delete("configurations/:id") { request, context -> Response in
            try authenticator.authorize(request, permission: .registryWrite)
            try await shard.deleteConfiguration(try context.decodedParameter("id"), ifMatch: ifMatch(request))
            return ServiceJSON.noContent()
        }
        routes.get("configurations") { request, _ -> Response in
            try authenticator.authorize(request, permission: .registryRead)
            let top = try integer(request.uri.queryParameters["top"], name: "top")
            if let top, top < 0 { throw ServiceError.badRequest("top must not be negative") }
            return try ServiceJSON.response(try await shard.configurationList(limit: top).map(\.document))
        }
        routes.post("devices/:id/applyConfigurationContent") { request, context -> Response in
            try authenticator.authorize(request, permission: .registryWrite)
            let id = try context.decodedParameter("id")
            try await shard.applyConfigurationContent(deviceId: id, content: try await jsonBody(request, context: context))
            return ServiceJSON.noContent()
        }
    }

    /// A query string member: absent or null is empty, anything but a string a 400.
    private static func queryText(_ value: JSONValue?, name: String) throws(ServiceError) -> String {
        switch value {
        case nil, .null?: return ""
        case .string(let text)?: return text
        default: throw ServiceError.badRequest("'\(name)' must be a string")
        }
    }
}
