import Foundation
import PKI
import Testing
import X509

@Suite("Delegated OCSP signer")
struct DelegatedOCSPSignerTests {
    private func makeSigner(_ fixture: RevocationFixture) throws -> DelegatedOCSPSigner {
        try DelegatedOCSPSigner(
            profile: try ProfileCatalog.builtIn.profile(named: "ocsp-signer"),
            keyStore: FileCAKeyStore(directory: fixture.directory.appendingPathComponent("private")),
            directory: fixture.directory.appendingPathComponent("ocsp-signers"), inventory: fixture.store,
            organization: "Provisio")
    }

    @Test("answers are signed by a responder certificate the issuing CA issued; openssl verifies them against the root")
    func opensslVerifiesDelegatedAnswers() async throws {
        try await withTemporaryDirectory { base in
            let fixture = try await RevocationFixture.make(in: base)
            let signer = try makeSigner(fixture)
            let authority = RevocationAuthority(hierarchy: fixture.hierarchy, store: fixture.store, ocspSigners: signer)
            let leaf = try fixture.write(try await fixture.issueDevice("device-1"), named: "device-1.pem")
            let request = fixture.directory.appendingPathComponent("request.der")
            #expect(try OpenSSL.run(["ocsp", "-issuer", fixture.issuingFile.path, "-cert", leaf.path, "-reqout", request.path]).succeeded)
            let answer = await authority.ocspResponse(for: Array(try Data(contentsOf: request)), now: fixture.now)
            let response = try fixture.write(bytes: answer, named: "response.der")
            let checked = try OpenSSL.run(["ocsp", "-reqin", request.path, "-respin", response.path, "-CAfile", fixture.rootFile.path,
                                           "-resp_text"])
            let text = checked.output + checked.error
            #expect(checked.succeeded && text.contains("Response verify OK"), "\(text)")
            #expect(text.contains("Cert Status: good"))
            #expect(text.contains("Provisio Issuing CA 1 OCSP Responder"), "the responder certificate travels in certs: \(text)")
            #expect(text.contains("OCSP Signing"), "\(text)")
            #expect(text.contains("OCSP No Check"), "\(text)")

            // The responder certificate itself: issued by the issuing CA, openssl accepts it for OCSP signing.
            let responder = fixture.directory.appendingPathComponent("ocsp-signers/issuing.cert.pem")
            let verify = try OpenSSL.verify(root: fixture.rootFile, issuing: fixture.issuingFile, leaf: responder, purpose: "ocsphelper")
            #expect(verify.succeeded, "\(verify.output)\(verify.error)")
            let keyFile = fixture.directory.appendingPathComponent("private/ocsp-signer-issuing.key.pem")
            #expect(try permissions(of: keyFile) == 0o600)
        }
    }

    @Test("the responder is reused, also by a new process, renewed once a third of its life remains, and roots sign themselves")
    func reuseAndRenewal() async throws {
        try await withTemporaryDirectory { base in
            let fixture = try await RevocationFixture.make(in: base)
            let issuing = fixture.hierarchy.issuing
            let first = try await makeSigner(fixture).responseSigner(for: issuing, now: fixture.now)
            #expect(first.isDelegated)
            #expect(first.certificate.issuer == issuing.certificate.subject)
            #expect(first.certificate.notValidAfter.timeIntervalSince(first.certificate.notValidBefore) <= 30 * 86_400)
            let serial = SerialNumberText.canonical(bytes: first.certificate.serialNumber.bytes)
            #expect(try await fixture.store.certificateEntry(serialNumber: serial)?.record.profile == "ocsp-signer")

            let restarted = try makeSigner(fixture)
            let reloaded = try await restarted.responseSigner(for: issuing, now: fixture.now.addingTimeInterval(86_400))
            #expect(reloaded.certificate == first.certificate, "a stored responder is reused")
            let renewed = try await restarted.responseSigner(for: issuing, now: fixture.now.addingTimeInterval(21 * 86_400))
            #expect(renewed.certificate != first.certificate, "renewed with less than ten days left")
            #expect(renewed.certificate.notValidAfter > first.certificate.notValidAfter)

            let root = try await restarted.responseSigner(for: fixture.hierarchy.root, now: fixture.now)
            #expect(!root.isDelegated)
            #expect(root.certificate == fixture.hierarchy.root.certificate)
        }
    }

    @Test("a profile without EKU ocspSigning cannot issue responders")
    func refusesWrongProfile() async throws {
        try await withTemporaryDirectory { base in
            #expect(throws: PKIError.self) {
                try DelegatedOCSPSigner(
                    profile: try ProfileCatalog.builtIn.profile(named: "device-client"),
                    keyStore: FileCAKeyStore(directory: base), directory: base, inventory: InMemoryCertificateInventory(),
                    organization: "Provisio")
            }
        }
    }
}
