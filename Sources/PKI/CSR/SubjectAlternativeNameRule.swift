import X509

/// Which subject alternative names a CSR may ask for under an issuance policy, and so which the certificate carries.
///
/// With `requirement: none` a CSR that asks for any SAN is refused. Otherwise every requested name must be a DNS
/// name or URI equal to one of the templates rendered for the device (DNS names compared case-insensitively), and
/// `required` also refuses a CSR that asks for none. Approved names are copied into the certificate.
public struct SubjectAlternativeNameRule: Codable, Sendable, Equatable {
    /// Whether SANs are refused, optional or required.
    public enum Requirement: String, Codable, Sendable, CaseIterable {
        /// The CSR must not request any subject alternative name.
        case none
        /// The CSR may request names matching the templates.
        case optional
        /// The CSR must request at least one name, all matching the templates.
        case required
    }

    /// Whether SANs are refused, optional or required.
    public let requirement: Requirement
    /// Templates for DNS names.
    public let dnsNames: [NameTemplate]
    /// Templates for URIs.
    public let uris: [NameTemplate]

    /// No SANs at all: the default.
    public static let none = SubjectAlternativeNameRule(uncheckedRequirement: .none, dnsNames: [], uris: [])

    enum CodingKeys: String, CodingKey, CaseIterable {
        case requirement, dnsNames, uris
    }

    /// Creates a rule; `optional` and `required` need at least one template, `none` none.
    public init(requirement: Requirement, dnsNames: [NameTemplate] = [], uris: [NameTemplate] = []) throws {
        self.init(uncheckedRequirement: requirement, dnsNames: dnsNames, uris: uris)
        try validate()
    }

    private init(uncheckedRequirement requirement: Requirement, dnsNames: [NameTemplate], uris: [NameTemplate]) {
        self.requirement = requirement
        self.dnsNames = dnsNames
        self.uris = uris
    }

    /// Decodes strictly.
    public init(from decoder: any Decoder) throws {
        try ConfigurationDocument.rejectUnknownKeys(CodingKeys.self, in: decoder, kind: "subjectAlternativeNames")
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(uncheckedRequirement: try container.decode(Requirement.self, forKey: .requirement),
                  dnsNames: try container.decodeIfPresent([NameTemplate].self, forKey: .dnsNames) ?? [],
                  uris: try container.decodeIfPresent([NameTemplate].self, forKey: .uris) ?? [])
        try validate()
    }

    private func validate() throws {
        let templates = dnsNames.count + uris.count
        if requirement == .none, templates > 0 {
            throw PKIError(code: .invalidConfiguration, message: "subjectAlternativeNames: requirement none takes no templates")
        }
        if requirement != .none, templates == 0 {
            throw PKIError(code: .invalidConfiguration,
                           message: "subjectAlternativeNames: requirement \(requirement.rawValue) needs dnsNames or uris templates")
        }
    }

    /// The names `csr` asks for if they all meet the rule; throws `PKIError.invalidSubjectAlternativeName` otherwise.
    public func approvedNames(for csr: CertificateSigningRequest, registrationId: String, deviceId: String) throws -> [GeneralName] {
        let requested: [GeneralName]
        do {
            requested = try csr.attributes.extensionRequest?.extensions.subjectAlternativeNames.map { Array($0) } ?? []
        } catch {
            throw PKIError(code: .invalidCSR, message: "the CSR's extension request is malformed")
        }
        switch requirement {
        case .none:
            guard requested.isEmpty else { throw refusal("this enrollment's issuance policy allows no subject alternative names") }
            return []
        case .optional, .required:
            if requested.isEmpty, requirement == .required {
                throw refusal("this enrollment's issuance policy requires a subject alternative name (\(expected(registrationId, deviceId)))")
            }
            let allowedDNS = Set(dnsNames.map { $0.render(registrationId: registrationId, deviceId: deviceId).lowercased() })
            let allowedURIs = Set(uris.map { $0.render(registrationId: registrationId, deviceId: deviceId) })
            for name in requested {
                switch name {
                case .dnsName(let dns) where allowedDNS.contains(dns.lowercased()): continue
                case .uniformResourceIdentifier(let uri) where allowedURIs.contains(uri): continue
                default:
                    throw refusal("subject alternative name \(name) is not allowed (\(expected(registrationId, deviceId)))")
                }
            }
            return requested
        }
    }

    private func expected(_ registrationId: String, _ deviceId: String) -> String {
        let names = dnsNames.map { "DNS:" + $0.render(registrationId: registrationId, deviceId: deviceId) }
            + uris.map { "URI:" + $0.render(registrationId: registrationId, deviceId: deviceId) }
        return "allowed: " + names.joined(separator: ", ")
    }

    private func refusal(_ message: String) -> PKIError {
        PKIError(code: .invalidSubjectAlternativeName, message: message)
    }
}
