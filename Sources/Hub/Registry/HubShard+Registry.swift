import Foundation
import Provisioning
import AccessControl

extension HubShard {
    /// Creates a device, or updates it when `ifMatch` is given (`*` or its etag): IoT Hub's `PUT /devices/{id}`.
    ///
    /// A new device gets an empty twin; missing SAS keys are generated (kept on update when it already used SAS).
    /// Without `ifMatch` an existing device is a conflict (409001). Changing the credential or disabling the device
    /// closes its connection.
    public func createOrUpdateDevice(
        _ specification: DeviceSpecification, ifMatch: String?,
        generateKey: @escaping @Sendable () -> String = HubShard.generateDeviceKey
    ) async throws -> DeviceIdentity {
        try DeviceSpecification.validate(deviceId: specification.deviceId)
        let status = try specification.validatedStatus()
        let ifMatch = ifMatch.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        return try await DeviceWriteLock.shared.withLock(lockKey(specification.deviceId)) {
            let stamp = RegistrationTimestamp.string(now())
            guard let existing = try await registry.device(shard: name, deviceId: specification.deviceId) else {
                // Updating (If-Match) a device that is not there is not a create.
                if ifMatch != nil { throw HubError.deviceNotFound(specification.deviceId) }
                var identity = DeviceIdentity(
                    deviceId: specification.deviceId, generationId: Self.newGenerationId(), etag: Self.newETag(),
                    status: status ?? "enabled",
                    authentication: try specification.resolvedAuthentication(current: nil, generateKey: generateKey),
                    capabilities: specification.capabilities ?? DeviceCapabilities(), now: stamp)
                identity.statusReason = specification.statusReason
                try await registry.save(shard: name, device: identity, twin: DeviceTwin(etag: Self.newETag()))
                configurationTargetsMayHaveChanged(deviceId: identity.deviceId)
                return identity
            }
            guard let ifMatch else { throw HubError.deviceAlreadyExists(existing.deviceId) }
            try Self.check(ifMatch: ifMatch, etag: existing.etag)
            var updated = existing
            updated.authentication = try specification.resolvedAuthentication(current: existing.authentication, generateKey: generateKey)
            if let status, status != existing.status {
                updated.status = status
                updated.statusUpdatedTime = stamp
            }
            updated.statusReason = specification.statusReason
            if let capabilities = specification.capabilities { updated.capabilities = capabilities }
            updated.etag = Self.newETag()
            try await registry.save(shard: name, device: updated, twin: try await twin(existing.deviceId))
            if updated.authentication != existing.authentication || updated.status == "disabled" {
                await notifier.disconnect(shard: name, deviceId: existing.deviceId)
            }
            return updated
        }
    }

    /// Deletes a device (`ifMatch`: `*`, its etag, or nil for any), purges its C2D queue and closes its connection.
    public func deleteDevice(_ deviceId: String, ifMatch: String?) async throws {
        try await DeviceWriteLock.shared.withLock(lockKey(deviceId)) {
            let identity = try await device(deviceId)
            try Self.check(ifMatch: ifMatch, etag: identity.etag)
            try await registry.delete(shard: name, deviceId: identity.deviceId)
            try await deleteModules(ofDevice: identity.deviceId)
            _ = try await cloudToDevice.purgeCloudToDevice(shard: name, deviceId: identity.deviceId)
            await notifier.disconnect(shard: name, deviceId: identity.deviceId)
        }
    }

    /// Up to `limit` devices, ordered by id (`GET /devices?top=n`).
    public func devices(limit: Int) async throws -> [DeviceIdentity] {
        try await enumerableRegistry().devices(shard: name, after: nil, limit: max(0, limit)).map(\.identity)
    }

    /// Total, enabled and disabled device counts.
    public func registryStatistics() async throws -> RegistryStatistics {
        var statistics = RegistryStatistics(totalDeviceCount: 0, enabledDeviceCount: 0, disabledDeviceCount: 0)
        try await forEachDevice { record in
            statistics.totalDeviceCount += 1
            if record.identity.status == "enabled" { statistics.enabledDeviceCount += 1 } else { statistics.disabledDeviceCount += 1 }
            return true
        }
        return statistics
    }

    /// How many of this shard's devices `presence` sees connected.
    public func connectedDeviceCount(presence: any DevicePresence) async throws -> Int {
        var count = 0
        try await forEachDevice { record in
            if presence.isConnected(shard: name, deviceId: record.identity.deviceId, moduleId: nil) { count += 1 }
            return true
        }
        return count
    }

    /// A fresh 32-byte device key, Base64 (what IoT Hub generates).
    public static func generateDeviceKey() -> String {
        SharedAccessKey.generate(byteCount: 32).base64
    }

    /// A fresh generation id (IoT Hub uses 18 digits).
    static func newGenerationId() -> String {
        String(UInt64.random(in: 100_000_000_000_000_000...999_999_999_999_999_999))
    }

    /// Walks every device in key order, in batches; `body` returns false to stop.
    func forEachDevice(after cursor: String? = nil, _ body: (DeviceRecord) throws -> Bool) async throws {
        let registry = try enumerableRegistry()
        var cursor = cursor
        let batchSize = 500
        while true {
            let batch = try await registry.devices(shard: name, after: cursor, limit: batchSize)
            for record in batch {
                guard try body(record) else { return }
            }
            guard batch.count == batchSize, let last = batch.last else { return }
            cursor = last.key
        }
    }

    private func enumerableRegistry() throws -> any EnumerableDeviceRegistry {
        guard let registry = registry as? any EnumerableDeviceRegistry else {
            throw HubError(status: 501, errorCode: 501_000, name: "NotImplemented", message: "this shard's registry cannot list devices")
        }
        return registry
    }

    private func lockKey(_ deviceId: String) -> String { "\(name)/\(deviceId.lowercased())" }
}
