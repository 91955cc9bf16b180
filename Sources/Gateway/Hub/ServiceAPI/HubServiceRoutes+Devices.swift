import Hub
import Hummingbird
import AccessControl

extension HubServiceRoutes {
    /// `/devices…` identities and `/statistics/…`.
    static func addDeviceRoutes<Context: RequestContext>(to routes: RouterGroup<Context>, _ environment: Environment) {
        let shard = environment.shard
        let authenticator = environment.authenticator
        routes.put("devices/:id") { request, context -> Response in
            try authenticator.authorize(request, permission: .registryWrite)
            let id = try context.decodedParameter("id")
            let body = try await ServiceJSON.decode(DeviceRequest.self, from: request, context: context)
            let device = try await shard.createOrUpdateDevice(try body.specification(pathId: id), ifMatch: ifMatch(request))
            // 200, not 201: the SDK treats anything else as a failure.
            return try ServiceJSON.response(environment.live(device))
        }
        routes.get("devices/:id") { request, context -> Response in
            try authenticator.authorize(request, permission: .registryRead)
            return try ServiceJSON.response(environment.live(try await shard.device(try context.decodedParameter("id"))))
        }
        routes.delete("devices/:id") { request, context -> Response in
            try authenticator.authorize(request, permission: .registryWrite)
            try await shard.deleteDevice(try context.decodedParameter("id"), ifMatch: ifMatch(request))
            return ServiceJSON.noContent()
        }
        routes.get("devices") { request, _ -> Response in
            try authenticator.authorize(request, permission: .registryRead)
            // IoT Hub reads any `top` outside 1–1000 as 1000.
            var top = try integer(request.uri.queryParameters["top"], name: "top") ?? 1000
            if !(1...1000).contains(top) { top = 1000 }
            return try ServiceJSON.response(try await shard.devices(limit: top).map(environment.live))
        }
        routes.get("statistics/devices") { request, _ -> Response in
            try authenticator.authorize(request, permission: .registryRead)
            return try ServiceJSON.response(try await shard.registryStatistics())
        }
        routes.get("statistics/service") { request, _ -> Response in
            try authenticator.authorize(request, permission: .registryRead)
            var connected = 0
            if let presence = environment.presence { connected = try await shard.connectedDeviceCount(presence: presence) }
            return try ServiceJSON.response(["connectedDeviceCount": connected])
        }
    }
}
