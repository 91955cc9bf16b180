import Foundation
import PKI
import SwiftASN1
import Testing
import X509

@Suite("CA hierarchy creation and reload")
struct CAHierarchyTests {
    @Test("first call creates root and issuing CA; reload returns the same ones")
    func createAndReload() async throws {
        try await withTemporaryDirectory { base in
            let fixture = try await HierarchyFixture.make(in: base)
            let created = fixture.hierarchy
            #expect(FileManager.default.fileExists(atPath: fixture.rootFile.path))
            #expect(FileManager.default.fileExists(atPath: fixture.issuingFile.path))
            for name in ["root", "issuing"] {
                let keyFile = fixture.keyStore.directory.appendingPathComponent("\(name).key.pem")
                #expect(try permissions(of: keyFile) == 0o600)
            }
            #expect(try permissions(of: fixture.keyStore.directory) == 0o700)
            #expect(try await fixture.inventory.certificates().map(\.profile) == ["root-ca", "issuing-ca"])

            let reloaded = try await fixture.reload()
            #expect(reloaded.root.certificate.serialNumber == created.root.certificate.serialNumber)
            #expect(reloaded.issuing.certificate.serialNumber == created.issuing.certificate.serialNumber)
            #expect(reloaded.root.certificate == created.root.certificate)
            #expect(reloaded.issuing.privateKey.publicKey == created.issuing.privateKey.publicKey)
            #expect(try await fixture.inventory.certificates().count == 2, "reload must not record again")
        }
    }

    @Test("CA certificates carry the profile's constraints, names and key identifiers")
    func caCertificateContents() async throws {
        try await withTemporaryDirectory { base in
            let fixture = try await HierarchyFixture.make(in: base)
            let root = fixture.hierarchy.root.certificate
            let issuing = fixture.hierarchy.issuing.certificate
            #expect(root.version == .v3 && issuing.version == .v3)
            #expect(String(describing: root.subject) == "CN=Provisio Root CA,O=Provisio")
            #expect(root.issuer == root.subject)
            #expect(String(describing: issuing.subject) == "CN=Provisio Issuing CA 1,O=Provisio")
            #expect(issuing.issuer == root.subject)
            #expect(try root.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: 1))
            #expect(try issuing.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: 0))
            #expect(root.extensions[oid: .X509ExtensionID.basicConstraints]?.critical == true)
            #expect(root.extensions[oid: .X509ExtensionID.keyUsage]?.critical == true)
            #expect(try root.extensions.keyUsage == KeyUsage(keyCertSign: true, cRLSign: true))
            #expect(
                try issuing.extensions.authorityKeyIdentifier?.keyIdentifier
                    == root.extensions.subjectKeyIdentifier?.keyIdentifier
            )
            #expect(root.signatureAlgorithm == .ecdsaWithSHA256)
            #expect(root.notValidBefore == fixture.now.addingTimeInterval(-300))
            // Validity counts from notBefore, which sits 5 minutes before issue to allow for clock skew.
            #expect(root.notValidAfter == fixture.now.addingTimeInterval(-300 + 20 * 365 * 86_400))
            #expect(issuing.notValidAfter == fixture.now.addingTimeInterval(-300 + 10 * 365 * 86_400))
            // Positive 20-octet serials.
            #expect(root.serialNumber.bytes.count == 20)
            #expect(try #require(root.serialNumber.bytes.first) < 0x80)

            let verify = try OpenSSL.run(["verify", "-CAfile", fixture.rootFile.path, fixture.issuingFile.path])
            #expect(verify.succeeded, "\(verify.output)\(verify.error)")
            #expect(fixture.hierarchy.trustBundlePEM == (try String(contentsOf: fixture.rootFile, encoding: .utf8)))
        }
    }

    @Test("a CA certificate without its key is a clear error")
    func missingKey() async throws {
        try await withTemporaryDirectory { base in
            let fixture = try await HierarchyFixture.make(in: base)
            try FileManager.default.removeItem(at: fixture.keyStore.directory.appendingPathComponent("issuing.key.pem"))
            await #expect(throws: PKIError.self) { _ = try await fixture.reload() }
            do {
                _ = try await fixture.reload()
            } catch let error as PKIError {
                #expect(error.code == .missingPrivateKey)
            }
        }
    }

    @Test("a key that does not match its certificate is a clear error")
    func mismatchedKey() async throws {
        try await withTemporaryDirectory { base in
            let fixture = try await HierarchyFixture.make(in: base)
            try fixture.keyStore.storePrivateKey(try KeyAlgorithm.ecdsaP256.generatePrivateKey(), named: "root")
            do {
                _ = try await fixture.reload()
                Issue.record("expected keyMismatch")
            } catch let error as PKIError {
                #expect(error.code == .keyMismatch)
            }
        }
    }

    @Test("an issuing certificate without a root is refused rather than silently re-rooted")
    func issuingWithoutRoot() async throws {
        try await withTemporaryDirectory { base in
            let fixture = try await HierarchyFixture.make(in: base)
            try FileManager.default.removeItem(at: fixture.rootFile)
            do {
                _ = try await fixture.reload()
                Issue.record("expected inconsistentHierarchy")
            } catch let error as PKIError {
                #expect(error.code == .inconsistentHierarchy)
            }
        }
    }

    @Test("a key stored before a crash is reused when its certificate was never written")
    func crashBetweenKeyAndCertificate() async throws {
        try await withTemporaryDirectory { base in
            let keyStore = FileCAKeyStore(directory: base.appendingPathComponent("ca/private"))
            let orphan = try KeyAlgorithm.ecdsaP256.generatePrivateKey()
            try keyStore.storePrivateKey(orphan, named: "root")
            let fixture = try await HierarchyFixture.make(in: base)
            #expect(fixture.hierarchy.root.certificate.publicKey == orphan.publicKey)
        }
    }

    @Test("describe() shows both CAs with subject, serial, dates, algorithm and the openssl fingerprint")
    func describeHierarchy() async throws {
        try await withTemporaryDirectory { base in
            let fixture = try await HierarchyFixture.make(in: base)
            let text = fixture.hierarchy.describe()
            let fingerprint = try OpenSSL.x509(fixture.rootFile, ["-fingerprint", "-sha256"]).output
                .trimmingCharacters(in: .whitespacesAndNewlines)
                .components(separatedBy: "=").last ?? ""
            #expect(text.contains("Root CA (root)") && text.contains("Issuing CA (issuing)"))
            #expect(text.contains("CN=Provisio Root CA,O=Provisio"))
            #expect(text.contains(try OpenSSL.serial(of: fixture.rootFile)))
            #expect(!fingerprint.isEmpty && text.contains(fingerprint))
            #expect(text.contains("ECDSA P-256"))
            #expect(!text.contains("PRIVATE KEY"))
        }
    }

    @Test("hierarchy profiles must be CA profiles")
    func nonCAProfileIsRefused() async throws {
        try await withTemporaryDirectory { base in
            let configuration = CAHierarchyConfiguration(issuingProfile: "tls-server")
            do {
                _ = try await HierarchyFixture.make(in: base, configuration: configuration)
                Issue.record("expected profileNotApplicable")
            } catch let error as PKIError {
                #expect(error.code == .profileNotApplicable)
            }
        }
    }
}
