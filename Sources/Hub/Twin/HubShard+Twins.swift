import Foundation
import Provisioning

extension HubShard {
    /// The device's (or module's) view of its twin.
    public func deviceTwinProperties(deviceId: String, moduleId: String? = nil) async throws -> JSONValue {
        try await twin(deviceId, moduleId).devicePropertiesDocument
    }

    /// Applies a reported patch from the device or module; returns the new reported version.
    public func patchReportedProperties(deviceId: String, moduleId: String? = nil, patch: JSONValue) async throws -> Int {
        guard let members = patch.objectValue else { throw HubError.badRequest("a reported-properties patch must be a JSON object") }
        return try await twinLocks.withLock(Self.twinKey(deviceId, moduleId)) {
            let identity = try await identity(deviceId, moduleId)
            var twin = try await twin(deviceId, moduleId)
            let version = try twin.patchReported(members, now: now())
            twin.etag = Self.newETag()
            try await save(identity, twin)
            return version
        }
    }

    /// The service's view of a twin.
    public func serviceTwin(deviceId: String, moduleId: String? = nil) async throws -> JSONValue {
        let identity = try await identity(deviceId, moduleId)
        return try await twin(deviceId, moduleId).serviceDocument(identity: identity)
    }

    /// Merges `{"tags":…, "properties":{"desired":…}}` into the twin (service PATCH); notifies the device.
    public func updateTwin(deviceId: String, moduleId: String? = nil, patch: JSONValue, ifMatch: String?) async throws -> JSONValue {
        try await twinLocks.withLock(Self.twinKey(deviceId, moduleId)) {
            let identity = try await identity(deviceId, moduleId)
            var twin = try await twin(deviceId, moduleId)
            try Self.check(ifMatch: ifMatch, etag: twin.etag)
            if let tags = patch["tags"]?.objectValue { try twin.patchTags(tags) }
            var notification: JSONValue?
            if let desired = patch["properties"]?["desired"]?.objectValue {
                notification = try twin.patchDesired(desired, now: now())
            }
            twin.etag = Self.newETag()
            try await save(identity, twin)
            if let notification {
                await notifier.desiredPropertiesChanged(shard: name, deviceId: deviceId, moduleId: moduleId, patch: notification)
            }
            if moduleId == nil, patch["tags"] != nil { configurationTargetsMayHaveChanged(deviceId: identity.deviceId) }
            return twin.serviceDocument(identity: identity)
        }
    }

    /// Replaces tags and desired properties (service PUT); notifies the device.
    public func replaceTwin(deviceId: String, moduleId: String? = nil, twin document: JSONValue, ifMatch: String?) async throws -> JSONValue {
        try await twinLocks.withLock(Self.twinKey(deviceId, moduleId)) {
            let identity = try await identity(deviceId, moduleId)
            var twin = try await twin(deviceId, moduleId)
            try Self.check(ifMatch: ifMatch, etag: twin.etag)
            let notification = try twin.replace(tags: document["tags"]?.objectValue ?? [:],
                                                desired: document["properties"]?["desired"]?.objectValue ?? [:], now: now())
            twin.etag = Self.newETag()
            try await save(identity, twin)
            await notifier.desiredPropertiesChanged(shard: name, deviceId: deviceId, moduleId: moduleId, patch: notification)
            if moduleId == nil { configurationTargetsMayHaveChanged(deviceId: identity.deviceId) }
            return twin.serviceDocument(identity: identity)
        }
    }

    /// The device, or its module, or `HubError.deviceNotFound`.
    func identity(_ deviceId: String, _ moduleId: String?) async throws -> DeviceIdentity {
        guard let moduleId else { return try await device(deviceId) }
        guard let module = try await moduleRegistry?.module(shard: name, deviceId: deviceId, moduleId: moduleId) else {
            throw HubError.moduleNotFound(deviceId, moduleId)
        }
        return module
    }

    func twin(_ deviceId: String, _ moduleId: String?) async throws -> DeviceTwin {
        guard let moduleId else { return try await twin(deviceId) }
        guard let twin = try await moduleRegistry?.moduleTwin(shard: name, deviceId: deviceId, moduleId: moduleId) else {
            throw HubError.moduleNotFound(deviceId, moduleId)
        }
        return twin
    }

    func save(_ identity: DeviceIdentity, _ twin: DeviceTwin) async throws {
        if identity.moduleId != nil, let moduleRegistry {
            try await moduleRegistry.saveModule(shard: name, module: identity, twin: twin)
        } else {
            try await registry.save(shard: name, device: identity, twin: twin)
        }
    }

    static func twinKey(_ deviceId: String, _ moduleId: String?) -> String {
        moduleId.map { "\(deviceId.lowercased())/\($0.lowercased())" } ?? deviceId.lowercased()
    }
}
