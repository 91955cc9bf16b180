import Foundation
import Provisioning

extension HubShard {
    /// Creates a module of an existing device, or updates it when `ifMatch` is given: `PUT /devices/{d}/modules/{m}`.
    /// Authentication follows the device rules (missing SAS keys are generated); a new module gets an empty twin.
    public func createOrUpdateModule(
        _ specification: DeviceSpecification, moduleId: String, ifMatch: String?,
        generateKey: @escaping @Sendable () -> String = HubShard.generateDeviceKey
    ) async throws -> DeviceIdentity {
        let modules = try moduleStore()
        try DeviceSpecification.validate(deviceId: moduleId)
        _ = try await device(specification.deviceId)
        return try await twinLocks.withLock(Self.twinKey(specification.deviceId, moduleId)) {
            let stamp = RegistrationTimestamp.string(now())
            guard let existing = try await modules.module(shard: name, deviceId: specification.deviceId, moduleId: moduleId) else {
                if ifMatch != nil { throw HubError.moduleNotFound(specification.deviceId, moduleId) }
                var identity = DeviceIdentity(
                    deviceId: specification.deviceId, generationId: Self.newGenerationId(), etag: Self.newETag(),
                    authentication: try specification.resolvedAuthentication(current: nil, generateKey: generateKey), now: stamp)
                identity.moduleId = moduleId
                try await modules.saveModule(shard: name, module: identity, twin: DeviceTwin(etag: Self.newETag()))
                return identity
            }
            guard let ifMatch else {
                throw HubError(status: 409, errorCode: 409_301, name: "ModuleAlreadyExistsOnDevice",
                               message: "module \(specification.deviceId)/\(moduleId) already exists")
            }
            try Self.check(ifMatch: ifMatch, etag: existing.etag)
            var updated = existing
            updated.authentication = try specification.resolvedAuthentication(current: existing.authentication, generateKey: generateKey)
            updated.etag = Self.newETag()
            try await modules.saveModule(shard: name, module: updated,
                                         twin: try await twin(specification.deviceId, moduleId))
            if updated.authentication != existing.authentication {
                await notifier.disconnect(shard: name, deviceId: "\(specification.deviceId)/\(moduleId)")
            }
            return updated
        }
    }

    /// One module (`GET /devices/{d}/modules/{m}`).
    public func module(deviceId: String, moduleId: String) async throws -> DeviceIdentity {
        try await identity(deviceId, moduleId)
    }

    /// A device's modules (`GET /devices/{d}/modules`).
    public func modules(deviceId: String) async throws -> [DeviceIdentity] {
        _ = try await device(deviceId)
        return try await moduleStore().modules(shard: name, deviceId: deviceId)
    }

    /// Deletes a module and closes its connection.
    public func deleteModule(deviceId: String, moduleId: String, ifMatch: String?) async throws {
        let existing = try await identity(deviceId, moduleId)
        try Self.check(ifMatch: ifMatch, etag: existing.etag)
        try await moduleStore().deleteModule(shard: name, deviceId: deviceId, moduleId: moduleId)
        await notifier.disconnect(shard: name, deviceId: "\(deviceId)/\(moduleId)")
    }

    /// Removes a deleted device's modules.
    func deleteModules(ofDevice deviceId: String) async throws {
        try await moduleRegistry?.deleteModules(shard: name, deviceId: deviceId)
    }

    private func moduleStore() throws -> any ModuleRegistry {
        guard let moduleRegistry else {
            throw HubError(status: 501, errorCode: 501_000, name: "NotImplemented", message: "this hub's registry has no module identities")
        }
        return moduleRegistry
    }
}
