import Foundation
import PKI

/// Finds and compiles the certificate issuance policy the server runs with.
enum IssuancePolicyLoader {
    /// The default file, relative to the working directory.
    static let defaultPath = "Policies/issuance.yaml"

    /// `configured` (relative paths against `workingDirectory`) when set, which must exist; else `Policies/issuance.yaml`
    /// when present; else the built-in policy. Any problem in the file stops the server with its message.
    static func load(configured: String?, workingDirectory: URL, profiles: ProfileCatalog = .builtIn) throws -> IssuancePolicySet {
        let file: URL
        if let configured {
            file = configured.hasPrefix("/") ? URL(fileURLWithPath: configured) : workingDirectory.appendingPathComponent(configured)
        } else {
            file = workingDirectory.appendingPathComponent(defaultPath)
            guard FileManager.default.fileExists(atPath: file.path) else { return try IssuancePolicySet.builtIn(profiles: profiles) }
        }
        return try IssuancePolicyDocument.load(from: file).compile(profiles: profiles)
    }
}
