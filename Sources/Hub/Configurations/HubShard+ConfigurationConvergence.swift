import Foundation
import Provisioning

extension HubShard {
    /// Targeted and applied counts and custom metric counts, by configuration id.
    struct ConfigurationMetricCounts: Sendable {
        var system: [String: [String: Int]] = [:]
        var custom: [String: [String: Int]] = [:]
    }

    /// Converges twins to the configurations: every twin when `batch.everyDevice` (then the metrics of every
    /// configuration are recorded too), else the devices named. Idempotent: a twin that already holds what wins is
    /// not written, so a pass cut short by a crash is simply run again.
    public func convergeConfigurations(_ batch: ConfigurationWork.Batch) async throws {
        let store = try configurations()
        let all = try await store.configurations(shard: name)
        let resolver = ConfigurationResolver(all)
        guard !resolver.isEmpty else { return }
        if batch.everyDevice {
            var counts = ConfigurationMetricCounts()
            let toConverge = try await scan(resolver, counting: all, into: &counts)
            for deviceId in toConverge {
                guard let outcome = try? await converge(deviceId: deviceId, resolver: resolver) else { continue }
                // Converged now: what it won and did not hold yet counts as applied too.
                for id in outcome.winning.subtracting(outcome.applied) {
                    counts.system[id, default: [:]]["appliedCount", default: 0] += 1
                }
            }
            for configuration in all {
                try await store.recordMetrics(shard: name, id: configuration.id, etag: configuration.etag,
                                              system: counts.system[configuration.id] ?? [:], custom: counts.custom[configuration.id] ?? [:])
            }
        } else {
            for deviceId in batch.deviceIds.sorted() {
                do {
                    _ = try await converge(deviceId: deviceId, resolver: resolver)
                } catch is HubError {
                    // This twin cannot take the content (too large, say): the others still converge, and the full
                    // passes count it as not applied rather than retrying it in a loop.
                    continue
                }
            }
        }
    }

    /// Metrics of `configurations` evaluated now over every twin (the others still contend for paths).
    func evaluateMetrics(of configurations: [DeviceConfiguration]) async throws -> ConfigurationMetricCounts {
        let resolver = ConfigurationResolver(try await self.configurations().configurations(shard: name))
        var counts = ConfigurationMetricCounts()
        _ = try await scan(resolver, counting: configurations, into: &counts)
        return counts
    }

    /// One pass over every twin: counts for `counted`, and the devices whose twins need a patch.
    private func scan(_ resolver: ConfigurationResolver, counting counted: [DeviceConfiguration],
                      into counts: inout ConfigurationMetricCounts) async throws -> [String] {
        var metricConditions: [(id: String, name: String, condition: ConfigurationCondition)] = []
        for configuration in counted {
            counts.system[configuration.id] = ["targetedCount": 0, "appliedCount": 0]
            counts.custom[configuration.id] = configuration.metricQueries.mapValues { _ in 0 }
            for (name, query) in configuration.metricQueries {
                guard let condition = try? ConfigurationCondition(metricQuery: query, name: name) else { continue }
                metricConditions.append((configuration.id, name, condition))
            }
        }
        let countedIds = Set(counted.map(\.id))
        var toConverge: [String] = []
        var system = counts.system
        var custom = counts.custom
        try await forEachDevice { record in
            let document = record.twin.serviceDocument(identity: record.identity)
            let outcome = resolver.resolve(document: document, desired: record.twin.desired)
            for id in outcome.targeted.intersection(countedIds) { system[id, default: [:]]["targetedCount", default: 0] += 1 }
            for id in outcome.applied.intersection(countedIds) { system[id, default: [:]]["appliedCount", default: 0] += 1 }
            for metric in metricConditions where metric.condition.matches(document) {
                custom[metric.id, default: [:]][metric.name, default: 0] += 1
            }
            if !outcome.patch.isEmpty { toConverge.append(record.identity.deviceId) }
            return true
        }
        counts.system = system
        counts.custom = custom
        return toConverge
    }

    /// Brings one twin to what the configurations say (under its twin lock, on a fresh read); returns the outcome
    /// when a patch was written, nil when nothing was needed or the device is gone.
    @discardableResult
    func converge(deviceId: String, resolver: ConfigurationResolver) async throws -> ConfigurationResolver.Outcome? {
        try await twinLocks.withLock(Self.twinKey(deviceId, nil)) {
            let (identity, stored) = try await registry.deviceAndTwin(shard: name, deviceId: deviceId)
            guard let identity, var twin = stored else { return nil }
            let outcome = resolver.resolve(document: twin.serviceDocument(identity: identity), desired: twin.desired)
            guard !outcome.patch.isEmpty else { return nil }
            let notification = try twin.patchDesired(outcome.patch, now: now())
            twin.etag = Self.newETag()
            try await registry.save(shard: name, device: identity, twin: twin)
            await notifier.desiredPropertiesChanged(shard: name, deviceId: identity.deviceId, moduleId: nil, patch: notification)
            return outcome
        }
    }
}
