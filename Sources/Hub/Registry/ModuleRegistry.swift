/// A shard's module identities (`devices/{deviceId}/modules/{moduleId}`), each with its own twin.
public protocol ModuleRegistry: Sendable {
    /// One module of a device.
    func module(shard: String, deviceId: String, moduleId: String) async throws -> DeviceIdentity?
    /// One module's twin.
    func moduleTwin(shard: String, deviceId: String, moduleId: String) async throws -> DeviceTwin?
    /// Creates or replaces a module (its `moduleId` set) and its twin together.
    func saveModule(shard: String, module: DeviceIdentity, twin: DeviceTwin) async throws
    /// Deletes a module; false when absent.
    @discardableResult
    func deleteModule(shard: String, deviceId: String, moduleId: String) async throws -> Bool
    /// A device's modules, ordered by module id.
    func modules(shard: String, deviceId: String) async throws -> [DeviceIdentity]
    /// Deletes every module of a device (the device was deleted).
    func deleteModules(shard: String, deviceId: String) async throws
}
