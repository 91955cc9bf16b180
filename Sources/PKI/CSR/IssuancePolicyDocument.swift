import Foundation

/// `Policies/issuance.yaml` (`kind: IssuancePolicy`): named issuance policies, a default, and which individual
/// enrollments (by registration id) and enrollment groups (by id) use which policy. Ids match case-insensitively.
public struct IssuancePolicyDocument: Codable, Sendable, Equatable {
    /// The document kind in YAML.
    public static let kind = "IssuancePolicy"

    /// Always `provisio/v1`.
    public let apiVersion: String
    /// Always `IssuancePolicy`.
    public let kind: String
    /// The policy for enrollments the mappings do not name.
    public let defaultPolicy: String
    /// The named policies.
    public let policies: [IssuancePolicy]
    /// Individual enrollment registration id → policy name.
    public let enrollments: [String: String]
    /// Enrollment group id → policy name.
    public let enrollmentGroups: [String: String]

    enum CodingKeys: String, CodingKey, CaseIterable {
        case apiVersion, kind, defaultPolicy, policies, enrollments, enrollmentGroups
    }

    /// The built-in document: only `IssuancePolicy.standard`.
    public static let builtIn = IssuancePolicyDocument(
        defaultPolicy: IssuancePolicy.standard.name, policies: [.standard], enrollments: [:], enrollmentGroups: [:])

    /// Creates a document (not yet checked against profiles: see `compile(profiles:)`).
    public init(defaultPolicy: String, policies: [IssuancePolicy], enrollments: [String: String], enrollmentGroups: [String: String]) {
        self.apiVersion = ConfigurationDocument.apiVersion
        self.kind = Self.kind
        self.defaultPolicy = defaultPolicy
        self.policies = policies
        self.enrollments = enrollments
        self.enrollmentGroups = enrollmentGroups
    }

    /// Decodes strictly.
    public init(from decoder: any Decoder) throws {
        try ConfigurationDocument.rejectUnknownKeys(CodingKeys.self, in: decoder, kind: Self.kind)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try container.decode(String.self, forKey: .apiVersion)
        kind = try container.decode(String.self, forKey: .kind)
        try ConfigurationDocument.checkHeader(apiVersion: apiVersion, kind: kind, expectedKind: Self.kind)
        defaultPolicy = try container.decode(String.self, forKey: .defaultPolicy)
        policies = try container.decode([IssuancePolicy].self, forKey: .policies)
        enrollments = try container.decodeIfPresent([String: String].self, forKey: .enrollments) ?? [:]
        enrollmentGroups = try container.decodeIfPresent([String: String].self, forKey: .enrollmentGroups) ?? [:]
    }

    /// Parses YAML text; `source` prefixes error messages.
    public static func parse(yaml: String, source: String) throws -> IssuancePolicyDocument {
        try ConfigurationDocument.decode(IssuancePolicyDocument.self, from: yaml, source: source)
    }

    /// Reads and parses a file.
    public static func load(from file: URL) throws -> IssuancePolicyDocument {
        try parse(yaml: try ConfigurationDocument.read(file), source: file.lastPathComponent)
    }

    /// Checks names, references and every policy against `profiles`, and returns the lookup issuance uses.
    public func compile(profiles: ProfileCatalog) throws -> IssuancePolicySet {
        var byName: [String: EffectiveIssuancePolicy] = [:]
        for policy in policies {
            guard !policy.name.isEmpty else { throw invalid("a policy has an empty name") }
            guard byName[policy.name] == nil else { throw invalid("policy '\(policy.name)' is defined twice") }
            byName[policy.name] = try policy.resolved(in: profiles)
        }
        guard let fallback = byName[defaultPolicy] else { throw invalid("defaultPolicy '\(defaultPolicy)' is not defined") }
        func lookup(_ mapping: [String: String], _ label: String) throws -> [String: EffectiveIssuancePolicy] {
            var result: [String: EffectiveIssuancePolicy] = [:]
            for (id, name) in mapping {
                guard let policy = byName[name] else { throw invalid("\(label) '\(id)' names undefined policy '\(name)'") }
                guard result.updateValue(policy, forKey: id.lowercased()) == nil else {
                    throw invalid("\(label) '\(id)' is mapped twice (ids are case-insensitive)")
                }
            }
            return result
        }
        return IssuancePolicySet(defaultPolicy: fallback, enrollments: try lookup(enrollments, "enrollment"),
                                 enrollmentGroups: try lookup(enrollmentGroups, "enrollment group"))
    }

    private func invalid(_ reason: String) -> PKIError {
        PKIError(code: .invalidConfiguration, message: "\(Self.kind): \(reason)")
    }
}

/// The compiled issuance policies: which one applies to a registration.
public struct IssuancePolicySet: Sendable, Equatable {
    /// The policy for enrollments without a mapping.
    public let defaultPolicy: EffectiveIssuancePolicy
    let enrollments: [String: EffectiveIssuancePolicy]
    let enrollmentGroups: [String: EffectiveIssuancePolicy]

    /// The built-in set: `IssuancePolicy.standard` for everyone.
    public static func builtIn(profiles: ProfileCatalog) throws -> IssuancePolicySet {
        try IssuancePolicyDocument.builtIn.compile(profiles: profiles)
    }

    /// The policy for a device admitted by group `enrollmentGroupId`, or by its individual enrollment `registrationId`.
    public func policy(enrollmentGroupId: String?, registrationId: String) -> EffectiveIssuancePolicy {
        if let enrollmentGroupId {
            return enrollmentGroups[enrollmentGroupId.lowercased()] ?? defaultPolicy
        }
        return enrollments[registrationId.lowercased()] ?? defaultPolicy
    }
}
