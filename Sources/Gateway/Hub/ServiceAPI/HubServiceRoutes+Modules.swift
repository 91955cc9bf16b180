import Hub
import Hummingbird
import AccessControl
import Provisioning

extension HubServiceRoutes {
    /// Module identities (`/devices/{d}/modules…`), module twins and module methods (`/twins/{d}/modules/{m}…`).
    static func addModuleRoutes<Context: RequestContext>(to routes: RouterGroup<Context>, _ environment: Environment) {
        let shard = environment.shard
        let authenticator = environment.authenticator
        routes.put("devices/:id/modules/:module") { request, context -> Response in
            try authenticator.authorize(request, permission: .registryWrite)
            let id = try context.decodedParameter("id")
            let moduleId = try context.decodedParameter("module")
            let body = try await ServiceJSON.decode(DeviceRequest.self, from: request, context: context)
            let module = try await shard.createOrUpdateModule(try body.specification(pathId: id), moduleId: moduleId, ifMatch: ifMatch(request))
            return try ServiceJSON.response(module)
        }
        routes.get("devices/:id/modules/:module") { request, context -> Response in
            try authenticator.authorize(request, permission: .registryRead)
            return try ServiceJSON.response(try await shard.module(deviceId: try context.decodedParameter("id"),
                                                                   moduleId: try context.decodedParameter("module")))
        }
        routes.delete("devices/:id/modules/:module") { request, context -> Response in
            try authenticator.authorize(request, permission: .registryWrite)
            try await shard.deleteModule(deviceId: try context.decodedParameter("id"), moduleId: try context.decodedParameter("module"),
                                         ifMatch: ifMatch(request))
            return ServiceJSON.noContent()
        }
        routes.get("devices/:id/modules") { request, context -> Response in
            try authenticator.authorize(request, permission: .registryRead)
            return try ServiceJSON.response(try await shard.modules(deviceId: try context.decodedParameter("id")))
        }
        routes.get("twins/:id/modules/:module") { request, context -> Response in
            try authenticator.authorize(request, permission: .registryRead)
            return try ServiceJSON.response(try await shard.serviceTwin(deviceId: try context.decodedParameter("id"),
                                                                        moduleId: try context.decodedParameter("module")))
        }
        routes.patch("twins/:id/modules/:module") { request, context -> Response in
            try authenticator.authorize(request, permission: .serviceConnect)
            let patch = try await jsonBody(request, context: context)
            return try ServiceJSON.response(try await shard.updateTwin(
                deviceId: try context.decodedParameter("id"), moduleId: try context.decodedParameter("module"),
                patch: patch, ifMatch: ifMatch(request)))
        }
        routes.put("twins/:id/modules/:module") { request, context -> Response in
            try authenticator.authorize(request, permission: .serviceConnect)
            let document = try await jsonBody(request, context: context)
            return try ServiceJSON.response(try await shard.replaceTwin(
                deviceId: try context.decodedParameter("id"), moduleId: try context.decodedParameter("module"),
                twin: document, ifMatch: ifMatch(request)))
        }
        routes.post("twins/:id/modules/:module/methods") { request, context -> Response in
            try authenticator.authorize(request, permission: .serviceConnect)
            let call = try await ServiceJSON.decode(DirectMethodRequest.self, from: request, context: context)
            let answer = try await shard.invokeMethod(
                deviceId: try context.decodedParameter("id"), moduleId: try context.decodedParameter("module"), request: call).checked()
            return try ServiceJSON.response(JSONValue.object([
                "status": .number(Double(answer.status)), "payload": answer.payload ?? .null,
            ]))
        }
    }
}
