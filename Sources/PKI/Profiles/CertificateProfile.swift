import Foundation

/// One certificate profile (a YAML file in `CA/`): key type, lifetime, CA constraints, usages and subject template.
///
/// Every public initialiser validates the whole profile and the fields are immutable, so a value of this type is
/// always usable for issuance.
public struct CertificateProfile: Codable, Sendable, Equatable {
    /// The document kind in YAML.
    public static let kind = "CertificateProfile"

    /// Always `provisio/v1`.
    public let apiVersion: String
    /// Always `CertificateProfile`.
    public let kind: String
    /// The profile's name, unique within a catalog (`root-ca`, `device-client`, …).
    public let name: String
    /// The key type generated when the server creates the key pair (CAs, TLS server certificates).
    public let keyAlgorithm: KeyAlgorithm
    /// The lifetime as written: a whole number and a unit `y` (365 days), `d`, `h` or `m` (minutes).
    public let validity: String
    /// Whether certificates from this profile are CAs (BasicConstraints `cA`).
    public let isCertificateAuthority: Bool
    /// The BasicConstraints path length for CA profiles; `nil` means unlimited. Must be `nil` for leaves.
    public let pathLength: Int?
    /// KeyUsage bit names: digitalSignature, nonRepudiation, keyEncipherment, dataEncipherment, keyAgreement,
    /// keyCertSign, cRLSign, encipherOnly, decipherOnly.
    public let keyUsage: [String]
    /// ExtendedKeyUsage names (serverAuth, clientAuth, codeSigning, emailProtection, timeStamping, ocspSigning)
    /// or dotted OIDs; empty means no EKU extension.
    public let extendedKeyUsage: [String]
    /// The subject template, most specific first, e.g. `CN={commonName}, O={organization}`.
    public let subject: String
    /// `validity` in seconds, computed when the profile is created or decoded.
    public let validityDuration: TimeInterval

    enum CodingKeys: String, CodingKey, CaseIterable {
        case apiVersion, kind, name, keyAlgorithm, validity, isCertificateAuthority, pathLength
        case keyUsage, extendedKeyUsage, subject
    }

    /// Creates and validates a profile; throws `PKIError.invalidConfiguration` describing the first problem.
    public init(
        name: String,
        keyAlgorithm: KeyAlgorithm,
        validity: String,
        isCertificateAuthority: Bool,
        pathLength: Int? = nil,
        keyUsage: [String],
        extendedKeyUsage: [String] = [],
        subject: String
    ) throws {
        self.init(
            unvalidatedName: name, keyAlgorithm: keyAlgorithm, validity: validity,
            isCertificateAuthority: isCertificateAuthority, pathLength: pathLength, keyUsage: keyUsage,
            extendedKeyUsage: extendedKeyUsage, subject: subject,
            validityDuration: try Self.duration(of: validity, profile: name)
        )
        try validate()
    }

    /// Creates a profile without validation; only for the compiled-in catalog, which a test checks.
    init(
        unvalidatedName name: String,
        keyAlgorithm: KeyAlgorithm,
        validity: String,
        isCertificateAuthority: Bool,
        pathLength: Int?,
        keyUsage: [String],
        extendedKeyUsage: [String],
        subject: String,
        validityDuration: TimeInterval,
        apiVersion: String = ConfigurationDocument.apiVersion,
        kind: String = Self.kind
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.keyAlgorithm = keyAlgorithm
        self.validity = validity
        self.isCertificateAuthority = isCertificateAuthority
        self.pathLength = pathLength
        self.keyUsage = keyUsage
        self.extendedKeyUsage = extendedKeyUsage
        self.subject = subject
        self.validityDuration = validityDuration
    }

    /// Decodes a profile, rejecting unknown keys and invalid values.
    public init(from decoder: any Decoder) throws {
        try ConfigurationDocument.rejectUnknownKeys(CodingKeys.self, in: decoder, kind: Self.kind)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let name = try container.decode(String.self, forKey: .name)
        let validity = try container.decode(String.self, forKey: .validity)
        self.init(
            unvalidatedName: name,
            keyAlgorithm: try container.decode(KeyAlgorithm.self, forKey: .keyAlgorithm),
            validity: validity,
            isCertificateAuthority: try container.decode(Bool.self, forKey: .isCertificateAuthority),
            pathLength: try container.decodeIfPresent(Int.self, forKey: .pathLength),
            keyUsage: try container.decode([String].self, forKey: .keyUsage),
            extendedKeyUsage: try container.decodeIfPresent([String].self, forKey: .extendedKeyUsage) ?? [],
            subject: try container.decode(String.self, forKey: .subject),
            validityDuration: try Self.duration(of: validity, profile: name),
            apiVersion: try container.decode(String.self, forKey: .apiVersion),
            kind: try container.decode(String.self, forKey: .kind)
        )
        try validate()
    }

    private static func duration(of validity: String, profile: String) throws -> TimeInterval {
        do {
            return try ValidityPeriod.seconds(from: validity)
        } catch let error as PKIError {
            throw PKIError(code: error.code, message: "profile '\(profile)': \(error.message)")
        }
    }

    /// Checks header, name, usages, CA constraints and the subject template.
    func validate() throws {
        try ConfigurationDocument.checkHeader(apiVersion: apiVersion, kind: kind, expectedKind: Self.kind)
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        else {
            throw invalid("name must be non-empty letters, digits, '-' or '_'")
        }
        _ = try parsedKeyUsage()
        _ = try parsedExtendedKeyUsage()
        guard Set(extendedKeyUsage).count == extendedKeyUsage.count else {
            throw invalid("extendedKeyUsage lists a purpose twice")
        }
        _ = try subjectTemplate()
        let usages = Set(keyUsage)
        if isCertificateAuthority {
            guard usages.contains("keyCertSign") else { throw invalid("a CA profile needs keyCertSign") }
            if let pathLength, pathLength < 0 { throw invalid("pathLength must not be negative") }
        } else {
            guard pathLength == nil else { throw invalid("pathLength is only allowed on CA profiles") }
            guard !usages.contains("keyCertSign") else { throw invalid("keyCertSign is only allowed on CA profiles") }
        }
        guard !keyUsage.isEmpty else { throw invalid("keyUsage must list at least one usage") }
    }

    /// The parsed subject template.
    func subjectTemplate() throws -> SubjectTemplate {
        do {
            return try SubjectTemplate(parsing: subject)
        } catch let error as PKIError {
            throw invalid(error.message)
        }
    }

    func invalid(_ reason: String) -> PKIError {
        PKIError(code: .invalidConfiguration, message: "profile '\(name)': \(reason)")
    }
}
