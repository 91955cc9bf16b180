import Crypto
import Foundation
import PKI
import Testing
import X509

@Suite("Issuance from certificate signing requests")
struct CSRIssuanceTests {
    /// A CSR built in code for `key` with subject `CN=commonName`.
    static func makeCSR(commonName: String?, key: Certificate.PrivateKey) throws -> CertificateSigningRequest {
        let subject = try DistinguishedName {
            OrganizationName("Device Maker")
            if let commonName { CommonName(commonName) }
        }
        return try CertificateSigningRequest(version: .v1, subject: subject, privateKey: key, attributes: .init())
    }

    /// Issues `csr` under device-client, writes the chain and checks it with `openssl verify -purpose sslclient`.
    private func issueAndVerify(_ csr: CertificateSigningRequest, fixture: HierarchyFixture) async throws -> Certificate {
        let chain = try await fixture.hierarchy.issue(
            csr: csr, profile: try fixture.profile("device-client"), deviceId: "device-1", enrollmentId: "group-a",
            now: fixture.now
        )
        #expect(chain.count == 3)
        #expect(chain[1] == fixture.hierarchy.issuing.certificate && chain[2] == fixture.hierarchy.root.certificate)
        let leafFile = try fixture.write(chain[0], named: "device.pem")
        let verify = try OpenSSL.verify(
            root: fixture.rootFile, issuing: fixture.issuingFile, leaf: leafFile, purpose: "sslclient"
        )
        #expect(verify.succeeded, "\(verify.output)\(verify.error)")
        let purposes = try OpenSSL.x509(leafFile, ["-purpose"]).output
        #expect(purposes.contains("SSL client : Yes"))
        #expect(purposes.contains("SSL server : No"))
        #expect(try OpenSSL.x509(leafFile, ["-checkend", "86400"]).succeeded)
        #expect(!(try OpenSSL.x509(leafFile, ["-checkend", "\(366 * 86_400)"]).succeeded))
        return chain[0]
    }

    @Test("a P-256 CSR built in code yields a client certificate openssl verifies")
    func codeBuiltCSR() async throws {
        try await withTemporaryDirectory { base in
            let fixture = try await HierarchyFixture.make(in: base)
            let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
            let leaf = try await issueAndVerify(try Self.makeCSR(commonName: "device-1", key: key), fixture: fixture)
            #expect(String(describing: leaf.subject) == "CN=device-1")
            #expect(leaf.publicKey == key.publicKey)
            #expect(try leaf.extensions.basicConstraints == .notCertificateAuthority)
            #expect(try leaf.extensions.extendedKeyUsage.map(Array.init) == [.clientAuth])
            let record = try #require(try await fixture.inventory.certificates().last)
            #expect(record.deviceId == "device-1" && record.enrollmentId == "group-a" && record.profile == "device-client")
        }
    }

    @Test("a P-256 CSR made by openssl req yields a client certificate openssl verifies")
    func opensslCSR() async throws {
        try await withTemporaryDirectory { base in
            let fixture = try await HierarchyFixture.make(in: base)
            let csrFile = base.appendingPathComponent("device.csr")
            let request = try OpenSSL.run([
                "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-subj", "/O=Device Maker/CN=sensor-42", "-keyout", base.appendingPathComponent("device.key").path,
                "-out", csrFile.path,
            ])
            try #require(request.succeeded, "\(request.error)")
            let csr = try CSRPolicy.parse(pemEncoded: try String(contentsOf: csrFile, encoding: .utf8))
            let leaf = try await issueAndVerify(csr, fixture: fixture)
            #expect(String(describing: leaf.subject) == "CN=sensor-42")
        }
    }

    @Test("P-384 and RSA-2048 device keys are accepted", arguments: [KeyAlgorithm.ecdsaP384, .rsa2048])
    func otherAllowedKeys(algorithm: KeyAlgorithm) async throws {
        try await withTemporaryDirectory { base in
            let fixture = try await HierarchyFixture.make(in: base)
            let csr = try Self.makeCSR(commonName: "device-\(algorithm.rawValue)", key: try algorithm.generatePrivateKey())
            _ = try await issueAndVerify(csr, fixture: fixture)
        }
    }

    @Test("a CSR whose signature does not verify is refused")
    func badSignature() async throws {
        try await withTemporaryDirectory { base in
            let fixture = try await HierarchyFixture.make(in: base)
            let claimed = Certificate.PrivateKey(P256.Signing.PrivateKey())
            let signer = Certificate.PrivateKey(P256.Signing.PrivateKey())
            let honest = try Self.makeCSR(commonName: "device-1", key: signer)
            let forged = try CertificateSigningRequest(
                version: .v1, subject: honest.subject, publicKey: claimed.publicKey, attributes: .init(),
                signatureAlgorithm: .ecdsaWithSHA256, signature: honest.signature
            )
            await expectRefusal(.invalidCSRSignature, csr: forged, fixture: fixture)
        }
    }

    @Test("an RSA-1024 CSR made by openssl is refused as a disallowed key")
    func weakRSAFromOpenSSL() async throws {
        try await withTemporaryDirectory { base in
            let csrFile = base.appendingPathComponent("weak.csr")
            let request = try OpenSSL.run([
                "req", "-new", "-newkey", "rsa:1024", "-nodes", "-subj", "/CN=weak",
                "-keyout", base.appendingPathComponent("weak.key").path, "-out", csrFile.path,
            ])
            try #require(request.succeeded, "\(request.error)")
            let pem = try String(contentsOf: csrFile, encoding: .utf8)
            #expect(throws: PKIError(code: .disallowedKey, message: "RSA 1024 keys are not accepted (use P-256, P-384 or RSA ≥ 2048)")) {
                try CSRPolicy.parse(pemEncoded: pem)
            }
        }
    }

    @Test("P-521 and Ed25519 CSRs parse but are refused as disallowed keys")
    func otherDisallowedKeys() async throws {
        try await withTemporaryDirectory { base in
            let fixture = try await HierarchyFixture.make(in: base)
            for key in [
                Certificate.PrivateKey(P521.Signing.PrivateKey()), Certificate.PrivateKey(Curve25519.Signing.PrivateKey()),
            ] {
                await expectRefusal(.disallowedKey, csr: try Self.makeCSR(commonName: "d", key: key), fixture: fixture)
            }
        }
    }

    @Test("a CSR without a common name, or under a CA profile, is refused")
    func missingCommonNameAndCAProfile() async throws {
        try await withTemporaryDirectory { base in
            let fixture = try await HierarchyFixture.make(in: base)
            let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
            let anonymous = try Self.makeCSR(commonName: nil, key: key)
            await expectRefusal(.invalidCSR, csr: anonymous, fixture: fixture)
            let named = try Self.makeCSR(commonName: "device-1", key: key)
            await expectRefusal(.profileNotApplicable, csr: named, fixture: fixture, profile: "issuing-ca")
            #expect(throws: PKIError.self) { try CSRPolicy.parse(pemEncoded: "not a pem") }
            #expect(try await fixture.inventory.certificates().count == 2, "refusals record nothing")
        }
    }

    private func expectRefusal(
        _ code: PKIError.Code,
        csr: CertificateSigningRequest,
        fixture: HierarchyFixture,
        profile: String = "device-client"
    ) async {
        do {
            _ = try await fixture.hierarchy.issue(
                csr: csr, profile: try fixture.profile(profile), deviceId: nil, enrollmentId: nil,
                now: fixture.now
            )
            Issue.record("expected \(code)")
        } catch let error as PKIError {
            #expect(error.code == code, "\(error)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}
