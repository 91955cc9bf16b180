import Foundation
import PKI
import Testing
import X509

@Suite("OCSP responder")
struct RevocationOCSPTests {
    /// Asks with a request `openssl ocsp` builds (SHA-1 or SHA-256 CertIDs, with a nonce), then lets `openssl ocsp`
    /// check the answer twice: against the request (signature up to the root, and the nonce), and against the
    /// certificate (`-issuer … -cert …`, which prints the `file: status` summary). Returns both outputs.
    private func opensslRoundTrip(_ fixture: RevocationFixture, leaf: URL, digest: String) async throws -> (request: String, summary: String) {
        let request = fixture.directory.appendingPathComponent("request-\(digest).der")
        let build = try OpenSSL.run(["ocsp", "-\(digest)", "-issuer", fixture.issuingFile.path, "-cert", leaf.path,
                                     "-reqout", request.path])
        #expect(build.succeeded, "\(build.error)")
        let answer = await fixture.authority.ocspResponse(for: Array(try Data(contentsOf: request)), now: fixture.now)
        let response = try fixture.write(bytes: answer, named: "response-\(digest).der")
        let checked = try OpenSSL.run(["ocsp", "-reqin", request.path, "-respin", response.path, "-CAfile", fixture.rootFile.path,
                                       "-resp_text"])
        #expect(checked.succeeded, "\(checked.output)\(checked.error)")
        // `-cert` builds a fresh request with its own nonce, so this run skips the nonce it cannot match.
        let summary = try OpenSSL.run(["ocsp", "-respin", response.path, "-\(digest)", "-issuer", fixture.issuingFile.path,
                                       "-cert", leaf.path, "-CAfile", fixture.rootFile.path, "-no_nonce"])
        #expect(summary.succeeded, "\(summary.output)\(summary.error)")
        return (checked.output + checked.error, summary.output + summary.error)
    }

    @Test("openssl ocsp verifies the signed answer and reads good, then revoked with its reason, for SHA-1 and SHA-256 CertIDs",
          arguments: ["sha1", "sha256"])
    func goodThenRevoked(digest: String) async throws {
        try await withTemporaryDirectory { base in
            let fixture = try await RevocationFixture.make(in: base)
            try await fixture.authority.synchronize(now: fixture.now)
            let certificate = try await fixture.issueDevice("device-1")
            let leaf = try fixture.write(certificate, named: "device-1.pem")

            let good = try await opensslRoundTrip(fixture, leaf: leaf, digest: digest)
            #expect(good.request.contains("Response verify OK"), "\(good.request)")
            #expect(good.request.contains("Hash Algorithm: \(digest)"))
            #expect(good.request.contains("Cert Status: good"))
            #expect(good.request.contains("OCSP Nonce"), "the nonce is echoed")
            #expect(!good.request.contains("WARNING") && !good.request.contains("Nonce Verify error"), "\(good.request)")
            #expect(good.request.contains("Next Update:"))
            #expect(good.summary.contains("Response verify OK") && good.summary.contains("\(leaf.path): good"), "\(good.summary)")

            _ = try await fixture.authority.revoke(.deviceId("device-1"), reason: .keyCompromise, now: fixture.now)
            let revoked = try await opensslRoundTrip(fixture, leaf: leaf, digest: digest)
            #expect(revoked.request.contains("Response verify OK"), "\(revoked.request)")
            #expect(revoked.request.contains("Cert Status: revoked"), "\(revoked.request)")
            #expect(revoked.request.contains("Revocation Reason: keyCompromise"), "\(revoked.request)")
            #expect(revoked.summary.contains("\(leaf.path): revoked"), "\(revoked.summary)")
            #expect(revoked.summary.contains("Reason: keyCompromise"), "\(revoked.summary)")
        }
    }

    @Test("a serial the CA never issued is unknown; a CertID naming another CA is unauthorized; garbage is malformedRequest")
    func unknownUnauthorizedMalformed() async throws {
        try await withTemporaryDirectory { base in
            let fixture = try await RevocationFixture.make(in: base)
            let issuing = fixture.hierarchy.issuing.certificate
            let stranger = try OCSPCertID(hashAlgorithm: .sha256, issuer: issuing, serialNumber: Certificate.SerialNumber(bytes: [0x01, 0x02]))
            let request = try OCSPRequest(certIDs: [stranger], nonce: [1, 2, 3, 4, 5, 6, 7, 8]).derBytes()
            let answer = await fixture.authority.ocspResponse(for: request, now: fixture.now)
            let requestFile = try fixture.write(bytes: request, named: "unknown-request.der")
            let responseFile = try fixture.write(bytes: answer, named: "unknown-response.der")
            let text = try OpenSSL.run(["ocsp", "-reqin", requestFile.path, "-respin", responseFile.path,
                                        "-CAfile", fixture.rootFile.path, "-resp_text"])
            let output = text.output + text.error
            #expect(output.contains("Response verify OK"), "\(output)")
            #expect(output.contains("Cert Status: unknown"), "\(output)")

            // The root CA's key named as issuer of a certificate it never signed is still our CA: unknown, signed by the root.
            let otherCA = try await RevocationFixture.make(in: base.appendingPathComponent("other"))
            let foreign = try OCSPCertID(hashAlgorithm: .sha1, issuer: otherCA.hierarchy.issuing.certificate,
                                         serialNumber: Certificate.SerialNumber(bytes: [0x07]))
            let unauthorized = await fixture.authority.ocspResponse(
                for: try OCSPRequest(certIDs: [foreign], nonce: nil).derBytes(), now: fixture.now)
            #expect(unauthorized == OCSPResponseStatus.unauthorized.unsignedResponse)
            #expect(await fixture.authority.ocspResponse(for: [0x30, 0x00], now: fixture.now)
                == OCSPResponseStatus.malformedRequest.unsignedResponse)
            #expect(await fixture.authority.ocspResponse(for: Array("hello".utf8), now: fixture.now)
                == OCSPResponseStatus.malformedRequest.unsignedResponse)
            let status = try OpenSSL.run(["ocsp", "-respin", try fixture.write(bytes: unauthorized, named: "unauth.der").path, "-resp_text", "-noverify"])
            #expect((status.output + status.error).contains("unauthorized"), "\(status.output)\(status.error)")
        }
    }

    @Test("requests parse back: CertIDs with their hash algorithm and serial, and the nonce")
    func requestParsing() async throws {
        try await withTemporaryDirectory { base in
            let fixture = try await RevocationFixture.make(in: base)
            let leaf = try await fixture.issueDevice("device-1")
            let certID = try OCSPCertID(hashAlgorithm: .sha256, issuer: fixture.hierarchy.issuing.certificate, serialNumber: leaf.serialNumber)
            let parsed = try OCSPRequest(derEncoded: try OCSPRequest(certIDs: [certID], nonce: [9, 9]).derBytes())
            #expect(parsed.certIDs == [certID])
            #expect(parsed.certIDs[0].hashAlgorithm == .sha256)
            #expect(parsed.certIDs[0].canonicalSerialNumber == RevocationFixture.opensslSerial(leaf).lowercased())
            #expect(parsed.nonceExtensionValue == [0x04, 0x02, 9, 9])
            #expect(throws: PKIError.self) { try OCSPRequest(derEncoded: [0x30, 0x03, 0x30, 0x01, 0x00]) }
        }
    }
}
