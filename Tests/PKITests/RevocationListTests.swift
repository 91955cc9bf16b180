import Foundation
import PKI
import Testing
import X509

@Suite("Certificate revocation lists")
struct RevocationListTests {
    @Test("issued device certificates carry CRL Distribution Points and an OCSP AIA that openssl reads")
    func revocationExtensions() async throws {
        try await withTemporaryDirectory { base in
            let fixture = try await RevocationFixture.make(in: base)
            let leaf = try fixture.write(try await fixture.issueDevice("device-1"), named: "device-1.pem")
            let text = try OpenSSL.x509(leaf, ["-text"]).output
            #expect(text.contains("X509v3 CRL Distribution Points"))
            #expect(text.contains("URI:http://127.0.0.1:8080/crl/issuing.crl"))
            #expect(text.contains("OCSP - URI:http://127.0.0.1:8080/ocsp"))
            #expect(try OpenSSL.x509(leaf, ["-ocsp_uri"]).output.trimmingCharacters(in: .whitespacesAndNewlines)
                == "http://127.0.0.1:8080/ocsp")
            let verify = try OpenSSL.verify(root: fixture.rootFile, issuing: fixture.issuingFile, leaf: leaf, purpose: "sslclient")
            #expect(verify.succeeded, "\(verify.output)\(verify.error)")
        }
    }

    @Test("the CRL is a signed v2 CRL with CRLNumber, AKI, dates and reasons, and openssl verify -crl_check agrees")
    func crlAgreesWithOpenSSL() async throws {
        try await withTemporaryDirectory { base in
            let fixture = try await RevocationFixture.make(in: base)
            try await fixture.authority.synchronize(now: fixture.now)
            let compromised = try await fixture.issueDevice("device-1")
            let retired = try await fixture.issueDevice("device-2", enrollmentId: "group-b")
            let healthy = try await fixture.issueDevice("device-3")
            _ = try await fixture.authority.revoke(
                .serialNumber(RevocationFixture.opensslSerial(compromised)), reason: .keyCompromise, now: fixture.now)
            _ = try await fixture.authority.revoke(.enrollmentId("GROUP-B"), reason: .unspecified, now: fixture.now)

            let list = try #require(try await fixture.authority.crl(forAuthorityNamed: "issuing", now: fixture.now))
            #expect(list.entryCount == 2)
            let crlFile = try fixture.write(bytes: list.derBytes, named: "issuing.crl")
            let text = try OpenSSL.run(["crl", "-inform", "DER", "-in", crlFile.path, "-noout", "-text"])
            #expect(text.succeeded, "\(text.error)")
            #expect(text.output.contains("Version 2"))
            #expect(text.output.contains("Issuer:") && text.output.contains(fixture.hierarchy.configuration.issuingCommonName))
            #expect(text.output.contains("X509v3 CRL Number"))
            #expect(text.output.contains("X509v3 Authority Key Identifier"))
            #expect(text.output.contains("Serial Number: \(RevocationFixture.opensslSerial(compromised))"))
            #expect(text.output.contains("Serial Number: \(RevocationFixture.opensslSerial(retired))"))
            #expect(!text.output.contains(RevocationFixture.opensslSerial(healthy)))
            #expect(text.output.contains("Key Compromise"))
            #expect(text.output.contains("Next Update:"))

            let signature = try OpenSSL.run(["crl", "-inform", "DER", "-in", crlFile.path, "-noout", "-CAfile",
                                             fixture.issuingFile.path, "-verify"])
            #expect(signature.succeeded && (signature.output + signature.error).contains("verify OK"),
                    "\(signature.output)\(signature.error)")

            let crlPEM = base.appendingPathComponent("issuing.crl.pem")
            #expect(try OpenSSL.run(["crl", "-inform", "DER", "-in", crlFile.path, "-out", crlPEM.path]).succeeded)
            for (certificate, revoked) in [(compromised, true), (retired, true), (healthy, false)] {
                let file = try fixture.write(certificate, named: "leaf.pem")
                let result = try OpenSSL.run(["verify", "-crl_check", "-CAfile", fixture.rootFile.path, "-untrusted",
                                              fixture.issuingFile.path, "-CRLfile", crlPEM.path, file.path])
                #expect(result.succeeded == !revoked, "\(result.output)\(result.error)")
                if revoked { #expect((result.output + result.error).contains("certificate revoked")) }
            }
        }
    }

    @Test("every revocation reissues the CRL with a higher CRLNumber; an unchanged CRL is reused until half-way to nextUpdate")
    func crlNumberGrows() async throws {
        try await withTemporaryDirectory { base in
            let fixture = try await RevocationFixture.make(in: base)
            try await fixture.authority.synchronize(now: fixture.now)
            let first = try #require(try await fixture.authority.crl(forAuthorityNamed: "issuing", now: fixture.now))
            #expect(first.entryCount == 0)
            let again = try #require(try await fixture.authority.crl(forAuthorityNamed: "issuing", now: fixture.now.addingTimeInterval(60)))
            #expect(again.crlNumber == first.crlNumber)
            _ = try await fixture.issueDevice("device-1")
            _ = try await fixture.authority.revoke(.deviceId("device-1"), reason: .superseded, now: fixture.now)
            let second = try #require(try await fixture.authority.crl(forAuthorityNamed: "issuing", now: fixture.now))
            #expect(second.crlNumber > first.crlNumber && second.entryCount == 1)
            let later = fixture.now.addingTimeInterval(fixture.authority.crlValidity * 0.6)
            let refreshed = try #require(try await fixture.authority.crl(forAuthorityNamed: "issuing", now: later))
            #expect(refreshed.crlNumber > second.crlNumber && refreshed.thisUpdate > second.thisUpdate)
            #expect(refreshed.nextUpdate > second.nextUpdate)
            #expect(try await fixture.authority.crl(forAuthorityNamed: "nope", now: fixture.now) == nil)
            let root = try #require(try await fixture.authority.crl(forAuthorityNamed: "root", now: fixture.now))
            let rootFile = try fixture.write(bytes: root.derBytes, named: "root.crl")
            let verify = try OpenSSL.run(["crl", "-inform", "DER", "-in", rootFile.path, "-noout", "-CAfile", fixture.rootFile.path, "-verify"])
            #expect((verify.output + verify.error).contains("verify OK"))
        }
    }

    @Test("revocation refuses CA certificates, unknown targets and malformed serials; repeats keep the first reason")
    func revocationRules() async throws {
        try await withTemporaryDirectory { base in
            let fixture = try await RevocationFixture.make(in: base)
            let issuingSerial = RevocationFixture.opensslSerial(fixture.hierarchy.issuing.certificate)
            await #expect(throws: PKIError.self) {
                try await fixture.authority.revoke(.serialNumber(issuingSerial), reason: .cACompromise, now: fixture.now)
            }
            await #expect(throws: PKIError.self) {
                try await fixture.authority.revoke(.deviceId("nobody"), reason: .unspecified, now: fixture.now)
            }
            await #expect(throws: PKIError.self) {
                try await fixture.authority.revoke(.serialNumber("not-hex"), reason: .unspecified, now: fixture.now)
            }
            let leaf = try await fixture.issueDevice("device-1")
            let serial = RevocationFixture.opensslSerial(leaf)
            let colons = stride(from: 0, to: serial.count, by: 2).map { index in
                String(serial.dropFirst(index).prefix(2))
            }.joined(separator: ":").lowercased()
            let first = try await fixture.authority.revoke(.serialNumber(colons), reason: .keyCompromise, now: fixture.now)
            #expect(first.revoked.count == 1 && first.alreadyRevoked.isEmpty)
            let repeated = try await fixture.authority.revoke(.deviceId("DEVICE-1"), reason: .superseded, now: fixture.now)
            #expect(repeated.revoked.isEmpty && repeated.alreadyRevoked.first?.revocation?.reason == .keyCompromise)
        }
    }

    @Test("presented chains: revoked and expired leaves are refused, others accepted; observers hear each revocation once")
    func verdictsAndObservers() async throws {
        try await withTemporaryDirectory { base in
            let fixture = try await RevocationFixture.make(in: base)
            let heard = HeardRevocations()
            await fixture.authority.onRevocation { entries in await heard.add(entries.compactMap(\.record.deviceId)) }
            try await fixture.authority.synchronize(now: fixture.now)
            let leaf = try await fixture.issueDevice("device-1")
            let other = try await fixture.issueDevice("device-2")
            let chain = [leaf, fixture.hierarchy.issuing.certificate]
            #expect(try await fixture.authority.verdict(for: chain, now: fixture.now) == .acceptable)
            #expect(try await fixture.authority.verdict(for: chain, now: leaf.notValidAfter.addingTimeInterval(1))
                == .expired(serialNumber: RevocationFixture.opensslSerial(leaf).lowercased()))
            #expect(try await fixture.authority.verdict(for: chain, now: leaf.notValidBefore.addingTimeInterval(-1))
                == .notYetValid(serialNumber: RevocationFixture.opensslSerial(leaf).lowercased()))
            _ = try await fixture.authority.revoke(.deviceId("device-1"), reason: .keyCompromise, now: fixture.now)
            guard case .revoked(let revocation) = try await fixture.authority.verdict(for: chain, now: fixture.now) else {
                Issue.record("a revoked leaf was not refused")
                return
            }
            #expect(revocation.reason == .keyCompromise)
            #expect(try await fixture.authority.verdict(for: [other, fixture.hierarchy.issuing.certificate], now: fixture.now) == .acceptable)
            try await fixture.authority.synchronize(now: fixture.now)
            #expect(await heard.deviceIds == ["device-1"])
            // A revocation written by another process (straight to the store) is picked up by the next pass.
            _ = try await fixture.store.revoke(.deviceId("device-2"), reason: .unspecified, at: fixture.now)
            try await fixture.authority.synchronize(now: fixture.now)
            #expect(await heard.deviceIds == ["device-1", "device-2"])
        }
    }

    @Test("reason names parse in any case and by number; serials canonicalise as the inventory stores them")
    func textForms() {
        #expect(RevocationReason(name: "keyCompromise") == .keyCompromise)
        #expect(RevocationReason(name: "KEY-COMPROMISE") == .keyCompromise)
        #expect(RevocationReason(name: "5") == .cessationOfOperation)
        #expect(RevocationReason(name: "certificateHold") == nil)
        #expect(SerialNumberText.canonical("00:4A:3f") == "4a3f")
        #expect(SerialNumberText.canonical("serial=ABC") == "0abc")
        #expect(SerialNumberText.canonical("xyz") == nil)
        #expect(SerialNumberText.integerContentBytes("85") == [0x00, 0x85])
        #expect(SerialNumberText.integerContentBytes("4a3f") == [0x4A, 0x3F])
    }
}

/// Device ids observers were told about, in order.
actor HeardRevocations {
    private(set) var deviceIds: [String] = []

    func add(_ ids: [String]) {
        deviceIds += ids
    }
}
