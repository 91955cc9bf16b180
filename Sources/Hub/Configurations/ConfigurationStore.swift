/// Durable automatic device configurations of every shard.
public protocol ConfigurationStore: Sendable {
    /// Every configuration of `shard`, in no particular order.
    func configurations(shard: String) async throws -> [DeviceConfiguration]
    /// One configuration.
    func configuration(shard: String, id: String) async throws -> DeviceConfiguration?
    /// Creates or replaces a configuration (durable when this returns).
    func saveConfiguration(_ configuration: DeviceConfiguration, shard: String) async throws
    /// Deletes a configuration; false when it did not exist.
    @discardableResult
    func deleteConfiguration(shard: String, id: String) async throws -> Bool
}

extension ConfigurationStore {
    /// Records freshly evaluated metrics, unless the configuration changed (another etag) or went away meanwhile.
    public func recordMetrics(shard: String, id: String, etag: String, system: [String: Int], custom: [String: Int]) async throws {
        guard var configuration = try await configuration(shard: shard, id: id), configuration.etag == etag else { return }
        guard configuration.systemMetricResults != system || configuration.metricResults != custom else { return }
        configuration.systemMetricResults = system
        configuration.metricResults = custom
        try await saveConfiguration(configuration, shard: shard)
    }
}
