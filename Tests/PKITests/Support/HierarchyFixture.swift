import Foundation
import PKI
import SwiftASN1
import X509

/// A CA hierarchy created in a temporary directory, with its PEM files ready for openssl.
struct HierarchyFixture {
    let directory: URL
    let keyStore: FileCAKeyStore
    let inventory: InMemoryCertificateInventory
    let hierarchy: CAHierarchy
    let now: Date

    /// `root.cert.pem` as written by `loadOrCreate`.
    var rootFile: URL { CAHierarchy.certificateFile(named: CAHierarchy.rootName, in: directory) }
    /// `issuing.cert.pem` as written by `loadOrCreate`.
    var issuingFile: URL { CAHierarchy.certificateFile(named: CAHierarchy.issuingName, in: directory) }

    /// Creates the built-in hierarchy (or one from `profiles`) under `base/ca`, keys under `base/ca/private`.
    static func make(
        in base: URL,
        profiles: ProfileCatalog = .builtIn,
        configuration: CAHierarchyConfiguration = .builtIn,
        now: Date = wholeSecondNow()
    ) async throws -> HierarchyFixture {
        let directory = base.appendingPathComponent("ca", isDirectory: true)
        let keyStore = FileCAKeyStore(directory: directory.appendingPathComponent("private", isDirectory: true))
        let inventory = InMemoryCertificateInventory()
        let hierarchy = try await CAHierarchy.loadOrCreate(
            directory: directory, keyStore: keyStore, configuration: configuration,
            profiles: profiles, inventory: inventory, now: now
        )
        return HierarchyFixture(
            directory: directory, keyStore: keyStore, inventory: inventory, hierarchy: hierarchy, now: now
        )
    }

    /// Loads the hierarchy again from the same directory and key store.
    func reload(profiles: ProfileCatalog = .builtIn) async throws -> CAHierarchy {
        try await CAHierarchy.loadOrCreate(
            directory: directory, keyStore: keyStore, configuration: .builtIn,
            profiles: profiles, inventory: inventory, now: now
        )
    }

    /// Writes `certificate` as PEM to `name` in the fixture directory.
    func write(_ certificate: Certificate, named name: String) throws -> URL {
        try writeFile(try certificate.serializeAsPEM().pemString + "\n", named: name, in: directory)
    }

    /// A built-in profile by name.
    func profile(_ name: String) throws -> CertificateProfile {
        try ProfileCatalog.builtIn.profile(named: name)
    }
}
