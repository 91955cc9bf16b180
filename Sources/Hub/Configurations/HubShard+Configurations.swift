import Foundation
import Provisioning

extension HubShard {
    /// Creates a configuration, or updates it when `ifMatch` is given (`*` or its etag): `PUT /configurations/{id}`.
    ///
    /// Without `ifMatch` an existing configuration is a conflict; content cannot change on update (IoT Hub's rule:
    /// create a new configuration instead). Every twin is looked at again afterwards.
    public func createOrUpdateConfiguration(_ specification: ConfigurationSpecification, ifMatch: String?) async throws -> DeviceConfiguration {
        let store = try configurations()
        let ifMatch = ifMatch.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        let saved = try await twinLocks.withLock(Self.configurationLockKey(specification.id)) {
            let stamp = now()
            guard let existing = try await store.configuration(shard: name, id: specification.id) else {
                if ifMatch != nil { throw HubError.configurationNotFound(specification.id) }
                let configuration = DeviceConfiguration(specification, created: stamp, etag: Self.newETag())
                try await store.saveConfiguration(configuration, shard: name)
                return configuration
            }
            guard let ifMatch else {
                throw HubError(status: 409, errorCode: 409_001, name: "ConfigurationAlreadyExists",
                               message: "configuration \(specification.id) already exists")
            }
            try Self.check(ifMatch: ifMatch, etag: existing.etag)
            guard specification.deviceContent == existing.deviceContent, specification.moduleContent == existing.moduleContent,
                  specification.modulesContent == existing.modulesContent
            else {
                throw HubError.badRequest("the content of configuration \(specification.id) cannot be changed; create a new configuration")
            }
            var updated = DeviceConfiguration(specification, created: existing.created, etag: Self.newETag())
            updated.lastUpdated = stamp
            updated.systemMetricResults = existing.systemMetricResults
            updated.metricResults = existing.metricResults.filter { specification.metricQueries[$0.key] != nil }
            try await store.saveConfiguration(updated, shard: name)
            return updated
        }
        configurationWork.everyDeviceChanged()
        return saved
    }

    /// One configuration with its metrics evaluated now.
    public func configuration(_ id: String) async throws -> DeviceConfiguration {
        guard var configuration = try await configurations().configuration(shard: name, id: id) else {
            throw HubError.configurationNotFound(id)
        }
        let metrics = try await evaluateMetrics(of: [configuration])
        configuration.systemMetricResults = metrics.system[id] ?? configuration.systemMetricResults
        configuration.metricResults = metrics.custom[id] ?? configuration.metricResults
        return configuration
    }

    /// Up to `limit` configurations, ordered by id, with the metrics of the last scheduled evaluation.
    public func configurationList(limit: Int?) async throws -> [DeviceConfiguration] {
        let all = try await configurations().configurations(shard: name).sorted { $0.id < $1.id }
        return Array(all.prefix(max(0, limit ?? all.count)))
    }

    /// Deletes a configuration (`ifMatch`: `*`, its etag, or nil for any). Desired properties it set stay.
    public func deleteConfiguration(_ id: String, ifMatch: String?) async throws {
        let store = try configurations()
        try await twinLocks.withLock(Self.configurationLockKey(id)) {
            guard let existing = try await store.configuration(shard: name, id: id) else { throw HubError.configurationNotFound(id) }
            try Self.check(ifMatch: ifMatch, etag: existing.etag)
            try await store.deleteConfiguration(shard: name, id: id)
        }
        // Paths it won may now belong to a configuration of lower precedence.
        configurationWork.everyDeviceChanged()
    }

    /// Checks a target condition and custom metric queries (`POST /configurations/testQueries`); returns the error
    /// text of each, empty when it parses.
    public func testConfigurationQueries(targetCondition: String, metricQueries: [String: String]) -> (String, [String: String]) {
        var conditionError = ""
        do throws(HubError) {
            _ = try ConfigurationCondition(targetCondition: targetCondition)
        } catch {
            conditionError = error.message
        }
        var metricErrors: [String: String] = [:]
        for (name, query) in metricQueries {
            do throws(HubError) {
                _ = try ConfigurationCondition(metricQuery: query, name: name)
            } catch {
                metricErrors[name] = error.message
            }
        }
        return (conditionError, metricErrors)
    }

    /// Writes configuration content to one device's twin regardless of conditions and priorities
    /// (`POST /devices/{id}/applyConfigurationContent`): device content to its twin, `modulesContent` members'
    /// `properties.desired` to the twins of those modules.
    public func applyConfigurationContent(deviceId: String, content: JSONValue) async throws {
        guard content.objectValue != nil else { throw HubError.badRequest("configuration content must be a JSON object") }
        let device = try await device(deviceId)
        if case .object(let deviceContent)? = content["deviceContent"] {
            let patch = try ConfigurationResolver.patch(for: deviceContent)
            if !patch.isEmpty {
                _ = try await updateTwin(deviceId: device.deviceId, patch: .object(["properties": .object(["desired": .object(patch)])]),
                                         ifMatch: nil)
            }
        } else if let other = content["deviceContent"], other != .null {
            throw HubError.badRequest("'deviceContent' must be an object")
        }
        guard let modules = content["modulesContent"], modules != .null else { return }
        guard case .object(let members) = modules else { throw HubError.badRequest("'modulesContent' must be an object") }
        for (moduleId, moduleContent) in members.sorted(by: { $0.key < $1.key }) {
            guard let desired = moduleContent["properties.desired"], desired != .null else { continue }
            guard desired.objectValue != nil else {
                throw HubError.badRequest("modulesContent.\(moduleId)['properties.desired'] must be an object")
            }
            _ = try await updateTwin(deviceId: device.deviceId, moduleId: moduleId,
                                     patch: .object(["properties": .object(["desired": desired])]), ifMatch: nil)
        }
    }

    /// Records that a device was created or its tags changed: its twin is looked at by the next convergence.
    public func configurationTargetsMayHaveChanged(deviceId: String) {
        guard configurationStore != nil else { return }
        configurationWork.deviceChanged(deviceId)
    }

    func configurations() throws -> any ConfigurationStore {
        guard let configurationStore else {
            throw HubError(status: 501, errorCode: 501_000, name: "NotImplemented", message: "this shard keeps no configurations")
        }
        return configurationStore
    }

    static func configurationLockKey(_ id: String) -> String {
        // A space cannot occur in a device id, so this never shares a lock with a twin.
        "configuration \(id)"
    }
}

extension HubError {
    /// Unknown configuration.
    public static func configurationNotFound(_ id: String) -> HubError {
        HubError(status: 404, errorCode: 404_001, name: "ConfigurationNotFound", message: "configuration \(id) does not exist on this hub")
    }
}
