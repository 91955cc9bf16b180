import Foundation

/// Which profiles and names the CA hierarchy uses (`CA/hierarchy.yaml`, kind `CAHierarchy`).
public struct CAHierarchyConfiguration: Codable, Sendable, Equatable {
    /// The document kind in YAML.
    public static let kind = "CAHierarchy"

    /// Always `provisio/v1`.
    public var apiVersion: String
    /// Always `CAHierarchy`.
    public var kind: String
    /// The profile the self-signed root is created with.
    public var rootProfile: String
    /// The profile the issuing CA (signed by the root) is created with.
    public var issuingProfile: String
    /// The root's common name.
    public var rootCommonName: String
    /// The issuing CA's common name.
    public var issuingCommonName: String
    /// The organisation (`O=`) substituted into subject templates.
    public var organization: String

    enum CodingKeys: String, CodingKey, CaseIterable {
        case apiVersion, kind, rootProfile, issuingProfile, rootCommonName, issuingCommonName, organization
    }

    /// Creates a configuration; the defaults are the shipped `CA/hierarchy.yaml`.
    public init(
        rootProfile: String = "root-ca",
        issuingProfile: String = "issuing-ca",
        rootCommonName: String = "Provisio Root CA",
        issuingCommonName: String = "Provisio Issuing CA 1",
        organization: String = "Provisio"
    ) {
        self.apiVersion = ConfigurationDocument.apiVersion
        self.kind = Self.kind
        self.rootProfile = rootProfile
        self.issuingProfile = issuingProfile
        self.rootCommonName = rootCommonName
        self.issuingCommonName = issuingCommonName
        self.organization = organization
    }

    /// The compiled-in equivalent of `CA/hierarchy.yaml`.
    public static let builtIn = CAHierarchyConfiguration()

    /// Decodes a configuration, rejecting unknown keys, a wrong header and empty names.
    public init(from decoder: any Decoder) throws {
        try ConfigurationDocument.rejectUnknownKeys(CodingKeys.self, in: decoder, kind: Self.kind)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.apiVersion = try container.decode(String.self, forKey: .apiVersion)
        self.kind = try container.decode(String.self, forKey: .kind)
        self.rootProfile = try container.decode(String.self, forKey: .rootProfile)
        self.issuingProfile = try container.decode(String.self, forKey: .issuingProfile)
        self.rootCommonName = try container.decode(String.self, forKey: .rootCommonName)
        self.issuingCommonName = try container.decode(String.self, forKey: .issuingCommonName)
        self.organization = try container.decode(String.self, forKey: .organization)
        try ConfigurationDocument.checkHeader(apiVersion: apiVersion, kind: kind, expectedKind: Self.kind)
        for (key, value) in [("rootCommonName", rootCommonName), ("issuingCommonName", issuingCommonName)]
        where value.isEmpty {
            throw PKIError(code: .invalidConfiguration, message: "\(Self.kind): \(key) must not be empty")
        }
        guard rootCommonName != issuingCommonName else {
            throw PKIError(code: .invalidConfiguration, message: "\(Self.kind): root and issuing common names must differ")
        }
    }

    /// Loads and validates a `CAHierarchy` YAML file.
    public static func load(file: URL) throws -> CAHierarchyConfiguration {
        let yaml = try ConfigurationDocument.read(file)
        return try ConfigurationDocument.decode(CAHierarchyConfiguration.self, from: yaml, source: file.lastPathComponent)
    }
}
