import Foundation
import Hub
import Hummingbird
import HTTPTypes
import Provisioning

/// One shard's IoT Hub service REST API, as `azure-iot-hub` 2.7.0 speaks it: devices, twins, direct methods,
/// twin queries and statistics, plus Provisio's REST forms of C2D send, feedback and purge. Any `api-version`
/// is accepted. Errors render IoT Hub-style through `HubErrorMiddleware`, which the routes carry themselves.
///
/// Permissions: `registryRead` to read devices, twins, queries and statistics; `registryWrite` to create, update
/// and delete devices; `serviceConnect` to update twins, invoke methods and send, purge or read C2D.
public enum HubServiceRoutes {
    /// Adds the routes; `presence` reports live connections (`connectionState`, `connectedDeviceCount`).
    public static func add<Context: RequestContext>(
        to router: Router<Context>, shard: HubShard, authenticator: ServiceAuthenticator, presence: (any DevicePresence)? = nil
    ) {
        let routes = router.group().add(middleware: HubErrorMiddleware())
        let environment = Environment(shard: shard, authenticator: authenticator, presence: presence)
        addDeviceRoutes(to: routes, environment)
        addTwinRoutes(to: routes, environment)
        addMessagingRoutes(to: routes, environment)
        addModuleRoutes(to: routes, environment)
        addJobRoutes(to: routes, environment)
        addConfigurationRoutes(to: routes, environment)
        addBulkRegistryRoutes(to: routes, environment)
        addDigitalTwinRoutes(to: routes, environment)
    }

    /// What every route needs.
    struct Environment: Sendable {
        let shard: HubShard
        let authenticator: ServiceAuthenticator
        let presence: (any DevicePresence)?

        /// The identity with its live connection state.
        func live(_ identity: DeviceIdentity) -> DeviceIdentity {
            identity.withConnectionState(on: shard.name, presence: presence)
        }

        /// A twin document with its live connection state.
        func live(twin document: JSONValue, deviceId: String) -> JSONValue {
            guard let presence, case .object(var members) = document else { return document }
            let connected = presence.isConnected(shard: shard.name, deviceId: deviceId, moduleId: nil)
            members["connectionState"] = .string(connected ? "Connected" : "Disconnected")
            return .object(members)
        }
    }

    /// The `If-Match` header, verbatim (`HubShard.check` ignores quotes).
    static func ifMatch(_ request: Request) -> String? {
        request.headers[.ifMatch]
    }

    /// The body as a JSON value; empty or malformed bodies are 400s.
    static func jsonBody(_ request: Request, context: some RequestContext) async throws -> JSONValue {
        try await ServiceJSON.decode(JSONValue.self, from: request, context: context)
    }

    /// An integer header or query value, or nil when absent; a 400 when not a number.
    static func integer(_ text: Substring?, name: String) throws(ServiceError) -> Int? {
        guard let text, !text.isEmpty else { return nil }
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
            throw ServiceError.badRequest("\(name) must be a whole number")
        }
        return value
    }
}
