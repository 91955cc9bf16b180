/// One named issuance policy in `Policies/issuance.yaml`: which profile certificates from registration CSRs are
/// issued under, for how long, which keys and subject alternative names a CSR may carry, and what a renewal does
/// to the device's earlier certificates.
public struct IssuancePolicy: Codable, Sendable, Equatable {
    /// Unique within the document; enrollments are mapped to it by this name.
    public let name: String
    /// A leaf profile from `CA/` (default `device-client`).
    public let profile: String
    /// The lifetime (`90d`, `1y`, …); at most the profile's, and capped by the issuing CA's notAfter. Nil: the profile's.
    public let validity: String?
    /// The key types a CSR may carry (default: all of `CSRKeyType`).
    public let keyAlgorithms: [CSRKeyType]
    /// Which subject alternative names a CSR may request (default: none).
    public let subjectAlternativeNames: SubjectAlternativeNameRule
    /// What happens to the device's earlier certificates when it gets a new one (default `keep`).
    public let onRenewal: RenewalBehaviour

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, profile, validity, keyAlgorithms, subjectAlternativeNames, onRenewal
    }

    /// The policy used when no file configures one: `device-client`, every key type, no SANs, keep on renewal.
    public static let standard = IssuancePolicy(
        name: "standard", profile: "device-client", validity: nil, keyAlgorithms: CSRKeyType.allCases,
        subjectAlternativeNames: .none, onRenewal: .keep)

    /// Creates a policy; `IssuancePolicyDocument` validates it against the profile catalog.
    public init(name: String, profile: String = "device-client", validity: String? = nil,
                keyAlgorithms: [CSRKeyType] = CSRKeyType.allCases, subjectAlternativeNames: SubjectAlternativeNameRule = .none,
                onRenewal: RenewalBehaviour = .keep) {
        self.name = name
        self.profile = profile
        self.validity = validity
        self.keyAlgorithms = keyAlgorithms
        self.subjectAlternativeNames = subjectAlternativeNames
        self.onRenewal = onRenewal
    }

    /// Decodes strictly, filling defaults.
    public init(from decoder: any Decoder) throws {
        try ConfigurationDocument.rejectUnknownKeys(CodingKeys.self, in: decoder, kind: "issuance policy")
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let keys = try container.decodeIfPresent([CSRKeyType].self, forKey: .keyAlgorithms) ?? CSRKeyType.allCases
        self.init(
            name: try container.decode(String.self, forKey: .name),
            profile: try container.decodeIfPresent(String.self, forKey: .profile) ?? "device-client",
            validity: try container.decodeIfPresent(String.self, forKey: .validity),
            keyAlgorithms: keys,
            subjectAlternativeNames: try container.decodeIfPresent(SubjectAlternativeNameRule.self, forKey: .subjectAlternativeNames) ?? .none,
            onRenewal: try container.decodeIfPresent(RenewalBehaviour.self, forKey: .onRenewal) ?? .keep)
        guard !keyAlgorithms.isEmpty else {
            throw PKIError(code: .invalidConfiguration, message: "issuance policy '\(name)': keyAlgorithms must not be empty")
        }
    }

    /// Resolves the profile in `profiles` and checks the validity against it.
    public func resolved(in profiles: ProfileCatalog) throws -> EffectiveIssuancePolicy {
        let base = try profiles.profile(named: profile)
        guard !base.isCertificateAuthority else {
            throw PKIError(code: .profileNotApplicable, message: "issuance policy '\(name)': profile '\(profile)' is a CA profile")
        }
        guard let validity else { return EffectiveIssuancePolicy(policy: self, profile: base) }
        let seconds: Double
        do {
            seconds = try ValidityPeriod.seconds(from: validity)
        } catch let error as PKIError {
            throw PKIError(code: .invalidConfiguration, message: "issuance policy '\(name)': \(error.message)")
        }
        guard seconds <= base.validityDuration else {
            throw PKIError(code: .invalidConfiguration,
                           message: "issuance policy '\(name)': validity \(validity) exceeds profile '\(profile)' (\(base.validity))")
        }
        let shortened = try CertificateProfile(
            name: base.name, keyAlgorithm: base.keyAlgorithm, validity: validity, isCertificateAuthority: false,
            keyUsage: base.keyUsage, extendedKeyUsage: base.extendedKeyUsage, subject: base.subject)
        return EffectiveIssuancePolicy(policy: self, profile: shortened)
    }
}
