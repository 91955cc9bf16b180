import Provisioning

/// Works out, for one twin, which configurations target it, which wins each content path, and the desired patch that
/// converges the twin. Pure: the shard reads twins and writes patches.
public struct ConfigurationResolver: Sendable {
    /// A configuration with its parsed condition and content paths.
    struct Entry: Sendable {
        let configuration: DeviceConfiguration
        let condition: ConfigurationCondition
        let content: [(path: ConfigurationContentPath, value: JSONValue)]
    }

    /// What the configurations mean for one twin.
    public struct Outcome: Sendable, Equatable {
        /// Configurations whose target condition selects the twin.
        public var targeted: Set<String> = []
        /// Targeted configurations that won every path they set (their content is the twin's once `patch` is applied).
        public var winning: Set<String> = []
        /// Winning configurations whose content the twin already holds.
        public var applied: Set<String> = []
        /// The desired-properties merge patch still needed; empty when the twin has converged.
        public var patch: [String: JSONValue] = [:]
    }

    let entries: [Entry]

    /// Orders configurations by precedence; one whose stored condition or content no longer parses is skipped.
    public init(_ configurations: [DeviceConfiguration]) {
        entries = configurations
            .sorted { $0.takesPrecedence(over: $1) }
            .compactMap { configuration in
                guard let condition = try? ConfigurationCondition(targetCondition: configuration.targetCondition) else { return nil }
                let content = configuration.deviceContent.sorted { $0.key < $1.key }.compactMap { key, value in
                    (try? ConfigurationContentPath(key)).map { (path: $0, value: value) }
                }
                return Entry(configuration: configuration, condition: condition, content: content)
            }
    }

    /// Whether there is anything to converge.
    public var isEmpty: Bool { entries.isEmpty }

    /// The outcome for a twin (`document` is its service document, `desired` its desired properties).
    public func resolve(document: JSONValue, desired: [String: JSONValue]) -> Outcome {
        var outcome = Outcome()
        var claimed: [ConfigurationContentPath] = []
        for entry in entries where entry.condition.matches(document) {
            let id = entry.configuration.id
            outcome.targeted.insert(id)
            var wonAll = true
            var holdsAll = true
            for (path, value) in entry.content {
                // A path set (or enclosed) by a configuration of higher precedence is that one's.
                guard !claimed.contains(where: { $0.overlaps(path) }) else {
                    wonAll = false
                    continue
                }
                claimed.append(path)
                if !path.isSatisfied(by: desired, value: value) {
                    holdsAll = false
                    Self.merge(path.patch(value), into: &outcome.patch)
                }
            }
            if wonAll { outcome.winning.insert(id) }
            if wonAll && holdsAll { outcome.applied.insert(id) }
        }
        return outcome
    }

    /// The outcome of applying one configuration's content to a twin whatever the others say
    /// (`applyConfigurationContent`): its patch only.
    static func patch(for content: [String: JSONValue]) throws(HubError) -> [String: JSONValue] {
        var patch: [String: JSONValue] = [:]
        for (key, value) in content.sorted(by: { $0.key < $1.key }) {
            merge(try ConfigurationContentPath(key).patch(value), into: &patch)
        }
        return patch
    }

    private static func merge(_ addition: [String: JSONValue], into patch: inout [String: JSONValue]) {
        for (key, value) in addition {
            if case .object(let inner)? = patch[key], case .object(let more) = value {
                var merged = inner
                merge(more, into: &merged)
                patch[key] = .object(merged)
            } else {
                patch[key] = value
            }
        }
    }
}
