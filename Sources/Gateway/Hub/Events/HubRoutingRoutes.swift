import Foundation
import Hub
import Hummingbird
import HTTPTypes
import AccessControl
import Routing

/// `GET`/`PUT /routing` (the shard's endpoints, routes, fallback route and enrichments) and `GET /routing/metrics`
/// (delivery counters and dead letters per endpoint). Reading needs `serviceConnect`; changing needs `registryWrite`
/// too (only `iothubowner`-like policies may redirect a hub's data). A reader without `registryWrite` gets webhook
/// header values and URL secrets redacted.
enum HubRoutingRoutes {
    static func add<Context: RequestContext>(to routes: RouterGroup<Context>, routing: ShardRouting, authenticator: ServiceAuthenticator) {
        routes.get("routing") { request, _ -> Response in
            let policy = try authenticator.authorize(request, permission: .serviceConnect)
            // Webhook secrets only for a policy that may change the routing; every other reader gets them redacted.
            let configuration = routing.configuration
            return try ServiceJSON.response(policy.permissions.contains(.registryWrite) ? configuration : configuration.redacted)
        }
        routes.put("routing") { request, context -> Response in
            try authenticator.authorize(request, permission: .serviceConnect)
            try authenticator.authorize(request, permission: .registryWrite)
            let buffer = try await request.body.collect(upTo: context.maxUploadSize)
            let configuration: RoutingConfiguration
            do {
                configuration = try JSONDecoder().decode(RoutingConfiguration.self, from: Data(buffer.readableBytesView))
            } catch let error as DecodingError {
                throw HubError.badRequest("the routing configuration is invalid: \(RoutingDecodingText.describe(error))")
            } catch {
                throw HubError.badRequest("the routing configuration is not valid JSON")
            }
            return try ServiceJSON.response(try await routing.replace(configuration))
        }
        routes.get("routing/metrics") { request, _ -> Response in
            try authenticator.authorize(request, permission: .serviceConnect)
            let snapshot = routing.metricsSnapshot
            var endpoints: [String: EndpointMetricsDocument] = [:]
            for name in routing.currentTable.endpoints.keys {
                endpoints[name] = EndpointMetricsDocument(
                    metrics: snapshot.endpoints[name] ?? EndpointMetrics(),
                    storedDeadLetters: try await routing.deadLetters(endpoint: name, limit: 0).count)
            }
            return try ServiceJSON.response(RoutingMetricsDocument(router: snapshot.router, endpoints: endpoints))
        }
        routes.get("routing/deadletters/:endpoint") { request, context -> Response in
            try authenticator.authorize(request, permission: .serviceConnect)
            let endpoint = try context.decodedParameter("endpoint")
            let limit = try HubServiceRoutes.integer(request.uri.queryParameters["maxCount"], name: "maxCount") ?? 100
            let letters = try await routing.deadLetters(endpoint: endpoint, limit: min(max(limit, 1), 1000)).recent
            return try ServiceJSON.response(letters.map(DeadLetterDocument.init))
        }
    }
}
