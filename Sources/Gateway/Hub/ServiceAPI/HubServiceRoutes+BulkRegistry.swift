import Hub
import Hummingbird
import AccessControl
import Provisioning

extension HubServiceRoutes {
    /// `POST /devices`: IoT Hub's bulk registry operation over up to 100 `ExportImportDevice`s. Answers 200 with
    /// `isSuccessful: true` when every operation succeeded, else 400 with the per-device errors (the SDK reads both).
    static func addBulkRegistryRoutes<Context: RequestContext>(to routes: RouterGroup<Context>, _ environment: Environment) {
        let shard = environment.shard
        let authenticator = environment.authenticator
        routes.post("devices") { request, context -> Response in
            try authenticator.authorize(request, permission: .registryWrite)
            let devices = try await ServiceJSON.decode([BulkRegistryDevice].self, from: request, context: context)
            let failures = try await shard.applyRegistryOperations(devices.map(\.operation))
            let errors: [JSONValue] = failures.map { failure in
                .object([
                    "deviceId": .string(failure.deviceId), "errorCode": .string(failure.error.name),
                    "errorStatus": .string(failure.error.message), "operation": .string(failure.mode.rawValue),
                ])
            }
            let body = JSONValue.object(["isSuccessful": .bool(failures.isEmpty), "errors": .array(errors), "warnings": .array([])])
            return try ServiceJSON.response(body, status: failures.isEmpty ? .ok : .badRequest)
        }
    }
}

/// One element of a bulk registry body: the parts of `ExportImportDevice` a registry operation reads (twin parts are
/// the twin API's).
struct BulkRegistryDevice: Decodable, Sendable {
    var id: String
    var importMode: String?
    var eTag: String?
    var status: String?
    var statusReason: String?
    var authentication: DeviceRequest.Authentication?
    var capabilities: DeviceRequest.Capabilities?

    /// The domain operation; a bad mode or identity description fails this device alone.
    var operation: BulkRegistryOperation {
        let mode = importMode.flatMap { text in
            BulkRegistryOperation.Mode.allCases.first { $0.rawValue.lowercased() == text.lowercased() }
        }
        guard let mode else {
            let known = BulkRegistryOperation.Mode.allCases.map(\.rawValue).joined(separator: ", ")
            return BulkRegistryOperation(deviceId: id, mode: .create, eTag: eTag, specification: .failure(
                .badRequest("importMode '\(importMode ?? "")' is not one of \(known)")))
        }
        let specification: Result<DeviceSpecification, HubError>
        do {
            try DeviceSpecification.validate(deviceId: id)
            let request = DeviceRequest(deviceId: id, status: status, statusReason: statusReason, authentication: authentication,
                                        capabilities: capabilities)
            specification = .success(try request.specification(pathId: id))
        } catch let error as HubError {
            specification = .failure(error)
        } catch let error as ServiceError {
            specification = .failure(.badRequest(error.message))
        } catch {
            specification = .failure(.badRequest("the device description is invalid"))
        }
        return BulkRegistryOperation(deviceId: id, mode: mode, eTag: eTag, specification: specification)
    }
}
