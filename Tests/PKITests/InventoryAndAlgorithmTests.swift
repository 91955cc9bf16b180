import Crypto
import Foundation
import PKI
import SwiftASN1
import Testing
import X509

@Suite("Inventory records and issuing-key algorithms")
struct InventoryAndAlgorithmTests {
    @Test("the inventory records every issued certificate with the serial openssl prints")
    func inventorySerials() async throws {
        try await withTemporaryDirectory { base in
            let fixture = try await HierarchyFixture.make(in: base)
            let server = try await fixture.hierarchy.issueTLSServerCertificate(
                dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"], now: fixture.now,
                profile: try fixture.profile("tls-server")
            )
            let csr = try CertificateSigningRequest(
                version: .v1, subject: try DistinguishedName { CommonName("device-7") },
                privateKey: Certificate.PrivateKey(P256.Signing.PrivateKey()), attributes: .init()
            )
            let device = try await fixture.hierarchy.issue(
                csr: csr, profile: try fixture.profile("device-client"), deviceId: "device-7", enrollmentId: nil,
                now: fixture.now
            )
            let issued = [
                fixture.hierarchy.root.certificate, fixture.hierarchy.issuing.certificate, server.leaf, device[0],
            ]
            let records = try await fixture.inventory.certificates()
            #expect(records.map(\.profile) == ["root-ca", "issuing-ca", "tls-server", "device-client"])
            for (index, (certificate, record)) in zip(issued, records).enumerated() {
                let file = try fixture.write(certificate, named: "inventory-\(index).pem")
                #expect(record.serialNumber == (try OpenSSL.serial(of: file)))
                #expect(record.serialNumber.count == 40 && record.serialNumber == record.serialNumber.lowercased())
                var serializer = DER.Serializer()
                try serializer.serialize(certificate)
                #expect(record.derBytes == serializer.serializedBytes)
                #expect(try record.certificate() == certificate)
                #expect(record.notBefore == certificate.notValidBefore && record.notAfter == certificate.notValidAfter)
                #expect(record.status == .active)
            }
            #expect(records[2].subject == "CN=localhost,O=Provisio")
            #expect(records[3].subject == "CN=device-7" && records[3].issuer == "CN=Provisio Issuing CA 1,O=Provisio")
            #expect(records[3].deviceId == "device-7")
        }
    }

    @Test("every key algorithm works as the CA key, signing with the matching algorithm", arguments: KeyAlgorithm.allCases)
    func issuingKeyAlgorithms(algorithm: KeyAlgorithm) async throws {
        try await withTemporaryDirectory { base in
            let builtIn = ProfileCatalog.builtIn
            let root = try CertificateProfile(
                name: "root-ca", keyAlgorithm: algorithm, validity: "20y", isCertificateAuthority: true, pathLength: 1,
                keyUsage: ["keyCertSign", "cRLSign"], subject: "CN={commonName}, O={organization}"
            )
            let issuing = try CertificateProfile(
                name: "issuing-ca", keyAlgorithm: algorithm, validity: "10y", isCertificateAuthority: true,
                pathLength: 0, keyUsage: ["keyCertSign", "cRLSign"], subject: "CN={commonName}, O={organization}"
            )
            let profiles = ProfileCatalog(profiles: builtIn.profiles + [root, issuing])
            let fixture = try await HierarchyFixture.make(in: base, profiles: profiles)
            #expect(KeyAlgorithm(publicKey: fixture.hierarchy.issuing.certificate.publicKey) == algorithm)

            let credential = try await fixture.hierarchy.issueTLSServerCertificate(
                dnsNames: ["localhost"], ipAddresses: ["127.0.0.2"], now: fixture.now,
                profile: try builtIn.profile(named: "tls-server")
            )
            let expected: Certificate.SignatureAlgorithm =
                switch algorithm {
                case .ecdsaP256: .ecdsaWithSHA256
                case .ecdsaP384: .ecdsaWithSHA384
                case .rsa2048, .rsa3072: .sha256WithRSAEncryption
                }
            #expect(credential.leaf.signatureAlgorithm == expected)
            #expect(fixture.hierarchy.issuing.certificate.signatureAlgorithm == expected)
            let leafFile = try fixture.write(credential.leaf, named: "leaf.pem")
            let verify = try OpenSSL.verify(
                root: fixture.rootFile, issuing: fixture.issuingFile, leaf: leafFile, purpose: "sslserver"
            )
            #expect(verify.succeeded, "\(algorithm): \(verify.output)\(verify.error)")
            // The reload path parses the stored key of this algorithm too.
            let reloaded = try await fixture.reload(profiles: profiles)
            #expect(reloaded.issuing.certificate == fixture.hierarchy.issuing.certificate)
        }
    }

    @Test("generated keys report their own algorithm", arguments: KeyAlgorithm.allCases)
    func generatedKeyAlgorithm(algorithm: KeyAlgorithm) throws {
        #expect(KeyAlgorithm(publicKey: try algorithm.generatePrivateKey().publicKey) == algorithm)
    }
}
