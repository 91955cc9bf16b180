import Foundation
import PKI
import Testing
import X509

@Suite("TLS server certificate issuance")
struct TLSServerIssuanceTests {
    @Test("the TLS server certificate verifies with openssl and its SAN covers every name and address")
    func tlsServerCertificate() async throws {
        try await withTemporaryDirectory { base in
            let fixture = try await HierarchyFixture.make(in: base)
            let credential = try await fixture.hierarchy.issueTLSServerCertificate(
                dnsNames: ["localhost", "hub-1.provisio.test"],
                ipAddresses: ["127.0.0.2", "::1", "fd00::2"],
                now: fixture.now,
                profile: try fixture.profile("tls-server")
            )
            #expect(credential.certificateChain.count == 3)
            #expect(credential.certificateChain[1] == fixture.hierarchy.issuing.certificate)
            #expect(credential.certificateChain[2] == fixture.hierarchy.root.certificate)
            let leafFile = try writeFile(credential.certificateChainPEM, named: "server-chain.pem", in: fixture.directory)

            let verify = try OpenSSL.verify(
                root: fixture.rootFile, issuing: fixture.issuingFile, leaf: leafFile, purpose: "sslserver"
            )
            #expect(verify.succeeded, "\(verify.output)\(verify.error)")

            let text = try OpenSSL.x509(leafFile, ["-text"]).output
            for expected in [
                "DNS:localhost", "DNS:hub-1.provisio.test", "IP Address:127.0.0.2", "IP Address:0:0:0:0:0:0:0:1",
                "IP Address:FD00:0:0:0:0:0:0:2", "TLS Web Server Authentication", "Subject: O = Provisio, CN = localhost",
                "Issuer: O = Provisio, CN = Provisio Issuing CA 1", "ecdsa-with-SHA256", "CA:FALSE",
            ] {
                #expect(text.contains(expected), "missing \(expected) in\n\(text)")
            }
            let purposes = try OpenSSL.x509(leafFile, ["-purpose"]).output
            #expect(purposes.contains("SSL server : Yes"))
            #expect(purposes.contains("SSL client : No"))

            // Valid for the next day, not beyond 397 days.
            #expect(try OpenSSL.x509(leafFile, ["-checkend", "86400"]).succeeded)
            #expect(!(try OpenSSL.x509(leafFile, ["-checkend", "\(398 * 86_400)"]).succeeded))
            #expect(credential.leaf.notValidBefore == fixture.now.addingTimeInterval(-300))
            // Validity counts from notBefore (5 minutes before issue), so the total never exceeds 397 days.
            #expect(credential.leaf.notValidAfter == fixture.now.addingTimeInterval(-300 + 397 * 86_400))
        }
    }

    @Test("the private key PEM is PKCS#8 and belongs to the leaf")
    func privateKeyPEM() async throws {
        try await withTemporaryDirectory { base in
            let fixture = try await HierarchyFixture.make(in: base)
            let credential = try await fixture.hierarchy.issueTLSServerCertificate(
                dnsNames: ["localhost"], ipAddresses: [], now: fixture.now, profile: try fixture.profile("tls-server")
            )
            #expect(credential.privateKeyPEM.hasPrefix("-----BEGIN PRIVATE KEY-----"))
            let keyFile = try writeFile(credential.privateKeyPEM, named: "server.key", in: fixture.directory)
            let certFile = try fixture.write(credential.leaf, named: "server.pem")
            let keyPublic = try OpenSSL.run(["pkey", "-in", keyFile.path, "-pubout"]).output
            let certPublic = try OpenSSL.x509(certFile, ["-pubkey"]).output
            #expect(!keyPublic.isEmpty && keyPublic == certPublic)
            #expect(try Certificate.PrivateKey(pemEncoded: credential.privateKeyPEM).publicKey == credential.leaf.publicKey)
        }
    }

    @Test("an IP-only certificate takes its CN from the first address")
    func ipOnly() async throws {
        try await withTemporaryDirectory { base in
            let fixture = try await HierarchyFixture.make(in: base)
            let credential = try await fixture.hierarchy.issueTLSServerCertificate(
                dnsNames: [], ipAddresses: ["127.0.0.3"], now: fixture.now, profile: try fixture.profile("tls-server")
            )
            #expect(String(describing: credential.leaf.subject) == "CN=127.0.0.3,O=Provisio")
            let names = try credential.leaf.extensions.subjectAlternativeNames.map(Array.init) ?? []
            #expect(names.count == 1)
        }
    }

    @Test("a leaf never outlives its issuer")
    func cappedAtIssuerExpiry() async throws {
        try await withTemporaryDirectory { base in
            let fixture = try await HierarchyFixture.make(in: base)
            let longLived = try CertificateProfile(
                name: "long-server", keyAlgorithm: .ecdsaP256, validity: "30y", isCertificateAuthority: false,
                keyUsage: ["digitalSignature"], extendedKeyUsage: ["serverAuth"], subject: "CN={commonName}"
            )
            let credential = try await fixture.hierarchy.issueTLSServerCertificate(
                dnsNames: ["localhost"], ipAddresses: [], now: fixture.now, profile: longLived
            )
            #expect(credential.leaf.notValidAfter == fixture.hierarchy.issuing.certificate.notValidAfter)
        }
    }

    @Test("bad names, no names and CA profiles are refused")
    func refusals() async throws {
        try await withTemporaryDirectory { base in
            let fixture = try await HierarchyFixture.make(in: base)
            let tls = try fixture.profile("tls-server")
            let cases: [([String], [String], CertificateProfile, PKIError.Code)] = [
                (["localhost"], ["300.1.1.1"], tls, .invalidSubjectAlternativeName),
                (["localhost"], ["fe80::1%eth0"], tls, .invalidSubjectAlternativeName),
                (["bad name"], [], tls, .invalidSubjectAlternativeName),
                (["-leading.example"], [], tls, .invalidSubjectAlternativeName),
                ([], [], tls, .invalidSubjectAlternativeName),
                (["localhost"], [], try fixture.profile("issuing-ca"), .profileNotApplicable),
            ]
            for (names, addresses, profile, code) in cases {
                do {
                    _ = try await fixture.hierarchy.issueTLSServerCertificate(
                        dnsNames: names, ipAddresses: addresses, now: fixture.now, profile: profile
                    )
                    Issue.record("expected \(code) for \(names) \(addresses)")
                } catch let error as PKIError {
                    #expect(error.code == code, "\(names) \(addresses): \(error)")
                }
            }
            #expect(try await fixture.inventory.certificates().count == 2, "refusals record nothing")
        }
    }
}
