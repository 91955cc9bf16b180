import Foundation

/// The certificate profiles available for issuance, by name.
public struct ProfileCatalog: Sendable {
    private let profilesByName: [String: CertificateProfile]

    /// Creates a catalog; when two profiles share a name the later one wins.
    public init(profiles: [CertificateProfile]) {
        var byName: [String: CertificateProfile] = [:]
        for profile in profiles {
            byName[profile.name] = profile
        }
        self.profilesByName = byName
    }

    /// Loads every `*.yaml`/`*.yml` file of kind `CertificateProfile` in `directory` (other kinds such as
    /// `CAHierarchy` are skipped); unknown keys, bad values, unknown kinds and duplicate names are errors.
    public static func load(directory: URL) throws -> ProfileCatalog {
        let files: [URL]
        do {
            files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
                .filter { ["yaml", "yml"].contains($0.pathExtension) }
                .sorted { $0.lastPathComponent < $1.lastPathComponent }
        } catch {
            throw PKIError(code: .fileSystem, message: "could not list profile directory \(directory.path)")
        }
        var profiles: [CertificateProfile] = []
        var sources: [String: String] = [:]
        for file in files {
            let yaml = try ConfigurationDocument.read(file)
            let source = file.lastPathComponent
            let header = try ConfigurationDocument.decode(ConfigurationDocument.Header.self, from: yaml, source: source)
            switch header.kind {
            case CertificateProfile.kind:
                let profile = try ConfigurationDocument.decode(CertificateProfile.self, from: yaml, source: source)
                if let previous = sources[profile.name] {
                    throw PKIError(
                        code: .invalidConfiguration,
                        message: "\(source): profile '\(profile.name)' is also defined in \(previous)"
                    )
                }
                sources[profile.name] = source
                profiles.append(profile)
            case CAHierarchyConfiguration.kind:
                continue
            default:
                throw PKIError(code: .invalidConfiguration, message: "\(source): unknown kind '\(header.kind ?? "")'")
            }
        }
        guard !profiles.isEmpty else {
            throw PKIError(code: .invalidConfiguration, message: "no CertificateProfile files in \(directory.path)")
        }
        return ProfileCatalog(profiles: profiles)
    }

    /// The profile called `name`, or `PKIError.unknownProfile`.
    public func profile(named name: String) throws -> CertificateProfile {
        guard let profile = profilesByName[name] else {
            throw PKIError(code: .unknownProfile, message: "no certificate profile named '\(name)'")
        }
        return profile
    }

    /// The profile names, sorted.
    public var names: [String] {
        profilesByName.keys.sorted()
    }

    /// All profiles, sorted by name.
    public var profiles: [CertificateProfile] {
        names.compactMap { profilesByName[$0] }
    }
}

extension ProfileCatalog: Equatable {
    /// Catalogs are equal when they hold the same profiles under the same names.
    public static func == (lhs: ProfileCatalog, rhs: ProfileCatalog) -> Bool {
        lhs.profilesByName == rhs.profilesByName
    }
}
