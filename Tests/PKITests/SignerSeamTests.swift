import Crypto
import Foundation
import PKI
import SwiftASN1
import Synchronization
import Testing
import X509

/// Stands in for an HSM: the key never leaves, signing goes through `CustomPrivateKey`, and calls are counted.
private struct SoftwareHSMKey: CustomPrivateKey {
    final class Counter: Sendable {
        let signatures = Atomic<Int>(0)
    }

    let key: P256.Signing.PrivateKey
    let counter: Counter

    static var defaultPEMDiscriminator: String { "PRIVATE KEY" }
    var publicKey: Certificate.PublicKey { Certificate.PublicKey(key.publicKey) }
    var defaultSignatureAlgorithm: Certificate.SignatureAlgorithm { .ecdsaWithSHA256 }
    var supportedSignatureAlgorithms: [Certificate.SignatureAlgorithm] { [.ecdsaWithSHA256] }

    func signSynchronously(
        bytes: some DataProtocol,
        signatureAlgorithm: Certificate.SignatureAlgorithm
    ) throws -> Certificate.Signature {
        try Certificate.PrivateKey(key).sign(bytes: bytes, signatureAlgorithm: signatureAlgorithm)
    }

    func signAsynchronously(
        bytes: some DataProtocol & Sendable,
        signatureAlgorithm: Certificate.SignatureAlgorithm
    ) async throws -> Certificate.Signature {
        counter.signatures.add(1, ordering: .relaxed)
        return try signSynchronously(bytes: bytes, signatureAlgorithm: signatureAlgorithm)
    }

    func serialize(into coder: inout DER.Serializer) throws {
        throw PKIError(code: .invalidStoredMaterial, message: "HSM keys cannot be exported")
    }

    static func == (lhs: SoftwareHSMKey, rhs: SoftwareHSMKey) -> Bool {
        lhs.key.rawRepresentation == rhs.key.rawRepresentation
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(key.publicKey.rawRepresentation)
    }
}

/// A key store whose keys were provisioned out of band and cannot be written.
private struct ProvisionedKeyStore: CAKeyStore {
    let keys: [String: Certificate.PrivateKey]

    func loadPrivateKey(named name: String) throws -> Certificate.PrivateKey? { keys[name] }

    func storePrivateKey(_ key: Certificate.PrivateKey, named name: String) throws {
        throw PKIError(code: .fileSystem, message: "read-only key store")
    }
}

@Suite("Signer seam")
struct SignerSeamTests {
    @Test("CA keys held behind CustomPrivateKey create the hierarchy and sign leaves asynchronously")
    func hsmBackedHierarchy() async throws {
        try await withTemporaryDirectory { base in
            let counter = SoftwareHSMKey.Counter()
            let rootKey = Certificate.PrivateKey(SoftwareHSMKey(key: P256.Signing.PrivateKey(), counter: counter))
            let issuingKey = Certificate.PrivateKey(SoftwareHSMKey(key: P256.Signing.PrivateKey(), counter: counter))
            let keyStore = ProvisionedKeyStore(keys: ["root": rootKey, "issuing": issuingKey])
            let directory = base.appendingPathComponent("ca")
            let now = wholeSecondNow()
            let hierarchy = try await CAHierarchy.loadOrCreate(
                directory: directory, keyStore: keyStore, configuration: .builtIn, profiles: .builtIn,
                inventory: InMemoryCertificateInventory(), now: now
            )
            #expect(hierarchy.root.certificate.publicKey == rootKey.publicKey)
            #expect(hierarchy.issuing.certificate.publicKey == issuingKey.publicKey)

            let credential = try await hierarchy.issueTLSServerCertificate(
                dnsNames: ["localhost"], ipAddresses: [], now: now,
                profile: try ProfileCatalog.builtIn.profile(named: "tls-server")
            )
            #expect(counter.signatures.load(ordering: .relaxed) == 3)
            let leafFile = try writeFile(credential.certificateChainPEM, named: "leaf.pem", in: base)
            let verify = try OpenSSL.verify(
                root: CAHierarchy.certificateFile(named: "root", in: directory),
                issuing: CAHierarchy.certificateFile(named: "issuing", in: directory),
                leaf: leafFile, purpose: "sslserver"
            )
            #expect(verify.succeeded, "\(verify.output)\(verify.error)")
        }
    }
}
