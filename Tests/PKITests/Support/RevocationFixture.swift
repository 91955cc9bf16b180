import Crypto
import Foundation
import PKI
import SwiftASN1
import X509

/// A hierarchy whose inventory is an `InMemoryRevocationStore`, with revocation endpoints set, a revocation
/// authority over it, and helpers that issue device certificates and write files for openssl.
struct RevocationFixture {
    let directory: URL
    let store: InMemoryRevocationStore
    let hierarchy: CAHierarchy
    let authority: RevocationAuthority
    let now: Date

    static let endpoints = RevocationEndpoints(host: "127.0.0.1", port: 8080)

    /// `root.cert.pem`.
    var rootFile: URL { CAHierarchy.certificateFile(named: CAHierarchy.rootName, in: directory) }
    /// `issuing.cert.pem`.
    var issuingFile: URL { CAHierarchy.certificateFile(named: CAHierarchy.issuingName, in: directory) }

    static func make(in base: URL, now: Date = wholeSecondNow()) async throws -> RevocationFixture {
        let directory = base.appendingPathComponent("ca", isDirectory: true)
        let store = InMemoryRevocationStore()
        var hierarchy = try await CAHierarchy.loadOrCreate(
            directory: directory, keyStore: FileCAKeyStore(directory: directory.appendingPathComponent("private")),
            configuration: .builtIn, profiles: .builtIn, inventory: store, now: now)
        hierarchy.revocationEndpoints = endpoints
        let authority = RevocationAuthority(hierarchy: hierarchy, store: store)
        return RevocationFixture(directory: directory, store: store, hierarchy: hierarchy, authority: authority, now: now)
    }

    /// Issues a device-client certificate for a fresh P-256 key to `deviceId` under `enrollmentId`.
    func issueDevice(_ deviceId: String, enrollmentId: String = "group-a") async throws -> Certificate {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let csr = try CertificateSigningRequest(
            version: .v1, subject: try DistinguishedName { CommonName(deviceId) }, privateKey: key, attributes: .init())
        let chain = try await hierarchy.issue(
            csr: csr, profile: try ProfileCatalog.builtIn.profile(named: "device-client"), deviceId: deviceId,
            enrollmentId: enrollmentId, now: now)
        return chain[0]
    }

    /// Writes `certificate` as PEM under `name`.
    func write(_ certificate: Certificate, named name: String) throws -> URL {
        try writeFile(try certificate.serializeAsPEM().pemString + "\n", named: name, in: directory)
    }

    /// Writes raw bytes under `name`.
    func write(bytes: [UInt8], named name: String) throws -> URL {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }

    /// The serial as `openssl x509 -serial` prints it (uppercase hex).
    static func opensslSerial(_ certificate: Certificate) -> String {
        SerialNumberText.canonical(bytes: certificate.serialNumber.bytes).uppercased()
    }
}
