import Foundation
import Testing

/// EST (RFC 7030) against the real server with `openssl req`, `curl`, `openssl pkcs7` and `openssl verify`, and the
/// delegated OCSP responder checked with `openssl ocsp`.
@Suite("EST enrollment and the delegated OCSP signer", .timeLimit(.minutes(5)))
struct ESTTests {
    private static func randomKey() -> String {
        Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
    }

    private static func provisio(_ arguments: [String], server: ServerProcess) async throws -> ChildProcess.Output {
        let output = try await ChildProcess.run(try TestEnvironment.provisioBinary(), arguments + ["--data-dir", server.dataDirectory.path])
        guard output.status == .exited(0) else {
            throw TestEnvironmentError("provisio \(arguments.joined(separator: " ")) failed: \(output.stderr)")
        }
        return output
    }

    /// The key a group member derives, computed by openssl: base64(HMAC-SHA256(base64-decoded group key, id)).
    private static func derivedKey(groupKey: String, registrationId: String, work: TemporaryDirectory) async throws -> String {
        let message = work.file("hmac-\(registrationId).txt")
        try Data(registrationId.utf8).write(to: message)
        let hexKey = Data(base64Encoded: groupKey)!.map { String(format: "%02x", $0) }.joined()
        let result = try await TestEnvironment.runOpenSSL(["dgst", "-sha256", "-mac", "HMAC", "-macopt", "hexkey:\(hexKey)", message.path])
        let hex = try #require(result.stdout.split(separator: "=").last).trimmingCharacters(in: .whitespacesAndNewlines)
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(try #require(UInt8(hex[index..<next], radix: 16)))
            index = next
        }
        return Data(bytes).base64EncodedString()
    }

    /// The inventory as `provisio cert list --device ID --json` prints it.
    private static func inventory(device: String, server: ServerProcess) async throws -> [[String: Any]] {
        let output = try await provisio(["cert", "list", "--device", device, "--json"], server: server)
        return try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [[String: Any]])
    }

    @Test("cacerts, simpleenroll with Basic (individual and group keys) and a client certificate, simplereenroll, refusals, delegated OCSP")
    func estScenario() async throws {
        let server = try await ServerProcess.start()
        let work = try TemporaryDirectory(prefix: "est")
        let dps = try server.endpoint("dps")
        let est = ESTCommandLineClient(host: dps.host, port: dps.httpsPort, trustBundle: server.trustBundle, work: work)

        // cacerts: the issuing CA and the root as certs-only PKCS#7.
        let cacerts = try await est.call("cacerts")
        #expect(cacerts.status == 200)
        #expect(cacerts.headers["content-type"] == "application/pkcs7-mime; smime-type=certs-only")
        #expect(cacerts.headers["content-transfer-encoding"] == "base64")
        let caChain = try await est.certificates(in: cacerts, name: "cacerts")
        #expect(caChain.printed.contains("CN = Provisio Issuing CA"), "\(caChain.printed)")
        #expect(caChain.printed.contains("subject=O = Provisio, CN = Provisio Root CA"), "\(caChain.printed)")
        #expect(try await est.call("some-label/cacerts").status == 200, "the label form is served")
        #expect(try await est.call("csrattrs").status == 204)

        // simpleenroll with an individual enrollment's symmetric key.
        let primary = Self.randomKey()
        _ = try await Self.provisio(["enrollment", "create", "--registration-id", "est-sym-1", "--symmetric-key",
                                     "--primary-key", primary, "--secondary-key", Self.randomKey()], server: server)
        let symmetric = try await est.request(commonName: "est-sym-1", name: "sym-1")
        let enrolled = try await est.call("simpleenroll", body: symmetric.csrBase64, basic: ("est-sym-1", primary))
        #expect(enrolled.status == 200, "\(enrolled.text)")
        #expect(enrolled.headers["content-type"] == "application/pkcs7-mime; smime-type=certs-only")
        let symmetricLeaf = try await est.certificates(in: enrolled, name: "sym-1-cert")
        #expect(symmetricLeaf.printed.contains("subject=CN = est-sym-1"), "\(symmetricLeaf.printed)")
        #expect(try await est.verify(symmetricLeaf.pem, intermediates: caChain.pem).hasSuffix(": OK"))
        let extensions = try await TestEnvironment.runOpenSSL(["x509", "-noout", "-text", "-in", symmetricLeaf.pem.path]).stdout
        #expect(extensions.contains("CRL Distribution Points") && extensions.contains("OCSP - URI:http://\(dps.host):8080/ocsp"),
                "issued certificates name the CRL and OCSP responder")
        let symmetricSerial = try await est.serial(of: symmetricLeaf.pem)
        let recorded = try await Self.inventory(device: "est-sym-1", server: server)
        #expect(recorded.contains { $0["serialNumber"] as? String == symmetricSerial && $0["enrollmentId"] as? String == "est-sym-1" })

        // simpleenroll with a key derived from an enrollment group's.
        let groupKey = Self.randomKey()
        _ = try await Self.provisio(["enrollment-group", "create", "--group-id", "est-group", "--symmetric-key",
                                     "--primary-key", Self.randomKey(), "--secondary-key", groupKey], server: server)
        let derived = try await Self.derivedKey(groupKey: groupKey, registrationId: "est-grp-dev", work: work)
        let member = try await est.request(commonName: "est-grp-dev", name: "grp-dev")
        let groupReply = try await est.call("simpleenroll", body: member.csrBase64, basic: ("est-grp-dev", derived))
        #expect(groupReply.status == 200, "\(groupReply.text)")
        let groupLeaf = try await est.certificates(in: groupReply, name: "grp-dev-cert")
        #expect(try await est.verify(groupLeaf.pem, intermediates: caChain.pem).hasSuffix(": OK"))
        let groupSerial = try await est.serial(of: groupLeaf.pem)
        #expect(try await Self.inventory(device: "est-grp-dev", server: server)
            .contains { $0["serialNumber"] as? String == groupSerial && $0["enrollmentId"] as? String == "est-group" })

        // simpleenroll with a client certificate enrolled for X.509 attestation.
        let x509Key = work.file("x509-device.key.pem")
        let x509Certificate = work.file("x509-device.pem")
        let selfSigned = try await TestEnvironment.runOpenSSL([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=est-x509-1", "-days", "30",
            "-addext", "keyUsage=critical,digitalSignature", "-addext", "extendedKeyUsage=clientAuth",
            "-keyout", x509Key.path, "-out", x509Certificate.path,
        ])
        #expect(selfSigned.status == .exited(0), "\(selfSigned.stderr)")
        _ = try await Self.provisio(["enrollment", "create", "--registration-id", "est-x509-1", "--x509-cert", x509Certificate.path],
                                    server: server)
        let x509Request = try await est.request(commonName: "est-x509-1", name: "x509-1")
        let x509Reply = try await est.call("simpleenroll", body: x509Request.csrBase64, certificate: (x509Certificate, x509Key))
        #expect(x509Reply.status == 200, "\(x509Reply.text)")
        let x509Leaf = try await est.certificates(in: x509Reply, name: "x509-1-cert")
        #expect(x509Leaf.printed.contains("subject=CN = est-x509-1"))
        #expect(try await est.verify(x509Leaf.pem, intermediates: caChain.pem).hasSuffix(": OK"))

        // Refusals.
        let wrongKey = try await est.call("simpleenroll", body: symmetric.csrBase64, basic: ("est-sym-1", Self.randomKey()))
        #expect(wrongKey.status == 401)
        #expect(wrongKey.headers["www-authenticate"]?.hasPrefix("Basic realm=") == true)
        #expect(!wrongKey.text.contains(primary))
        #expect(try await est.call("simpleenroll", body: symmetric.csrBase64).status == 401, "no credential at all")
        let otherName = try await est.request(commonName: "somebody-else", name: "other")
        #expect(try await est.call("simpleenroll", body: otherName.csrBase64, basic: ("est-sym-1", primary)).status == 403,
                "the CSR's CN must be the registration id")
        let garbage = work.file("garbage.b64")
        try "this is not base64 ***".write(to: garbage, atomically: true, encoding: .utf8)
        #expect(try await est.call("simpleenroll", body: garbage, basic: ("est-sym-1", primary)).status == 400)
        let notCSR = work.file("not-a-csr.b64")
        try Data("hello, this is no PKCS#10".utf8).base64EncodedString().write(to: notCSR, atomically: true, encoding: .utf8)
        #expect(try await est.call("simpleenroll", body: notCSR, basic: ("est-sym-1", primary)).status == 400)
        let disabledKey = Self.randomKey()
        _ = try await Self.provisio(["enrollment", "create", "--registration-id", "est-off", "--symmetric-key", "--disabled",
                                     "--primary-key", disabledKey, "--secondary-key", Self.randomKey()], server: server)
        let offRequest = try await est.request(commonName: "est-off", name: "off")
        #expect(try await est.call("simpleenroll", body: offRequest.csrBase64, basic: ("est-off", disabledKey)).status == 403)

        // simplereenroll with the certificate issued above; the old one is superseded.
        let renewal = try await est.request(commonName: "est-sym-1", name: "sym-1-renewal")
        let renewed = try await est.call("simplereenroll", body: renewal.csrBase64, certificate: (symmetricLeaf.pem, symmetric.key))
        #expect(renewed.status == 200, "\(renewed.text)")
        let renewedLeaf = try await est.certificates(in: renewed, name: "sym-1-renewed")
        #expect(try await est.verify(renewedLeaf.pem, intermediates: caChain.pem).hasSuffix(": OK"))
        let renewedSerial = try await est.serial(of: renewedLeaf.pem)
        #expect(renewedSerial != symmetricSerial)
        let afterRenewal = try await Self.inventory(device: "est-sym-1", server: server)
        #expect(afterRenewal.first { $0["serialNumber"] as? String == symmetricSerial }?["status"] as? String == "superseded",
                "\(afterRenewal)")
        #expect(afterRenewal.first { $0["serialNumber"] as? String == renewedSerial }?["status"] as? String == "active")

        #expect(try await est.call("simplereenroll", body: renewal.csrBase64).status == 401, "re-enrollment needs the certificate")
        #expect(try await est.call("simplereenroll", body: otherName.csrBase64, certificate: (renewedLeaf.pem, renewal.key)).status == 403,
                "the subject must stay the same")
        #expect(try await est.call("simplereenroll", body: x509Request.csrBase64, certificate: (x509Certificate, x509Key)).status == 403,
                "a certificate Provisio did not issue cannot re-enroll")

        _ = try await Self.provisio(["cert", "revoke", "--serial", renewedSerial, "--reason", "keyCompromise"], server: server)
        let afterRevocation = try await est.request(commonName: "est-sym-1", name: "sym-1-after-revocation")
        let refused = try await est.call("simplereenroll", body: afterRevocation.csrBase64, certificate: (renewedLeaf.pem, renewal.key))
        #expect(refused.status == 403, "\(refused.text)")
        #expect(refused.text.contains("revoked"))

        // Revocation by enrollment covers EST certificates.
        let byEnrollment = try await Self.provisio(["cert", "revoke", "--enrollment", "est-group"], server: server)
        #expect(byEnrollment.stdout.contains(groupSerial), "\(byEnrollment.stdout)")

        // The OCSP responder answers with a delegated signer that openssl verifies against the trust bundle.
        let issuingCA = work.file("issuing-ca.pem")
        let blocks = caChain.printed.components(separatedBy: "\n\n").filter { $0.contains("-----BEGIN CERTIFICATE-----") }
        try #require(blocks.first { $0.contains("subject=") && !$0.contains("subject=O = Provisio, CN = Provisio Root CA") })
            .write(to: issuingCA, atomically: true, encoding: .utf8)
        for (leaf, expected) in [(x509Leaf.pem, "good"), (groupLeaf.pem, "revoked")] {
            let ocsp = try await TestEnvironment.runOpenSSL([
                "ocsp", "-issuer", issuingCA.path, "-cert", leaf.path, "-url", "http://\(dps.host):8080/ocsp",
                "-CAfile", server.trustBundle.path, "-resp_text",
            ])
            let text = ocsp.stdout + ocsp.stderr
            #expect(text.contains("Response verify OK"), "\(text)")
            #expect(text.contains("\(leaf.path): \(expected)"), "\(text)")
            #expect(text.contains("OCSP Responder") && text.contains("OCSP Signing") && text.contains("OCSP No Check"),
                    "signed by the delegated responder certificate: \(text)")
        }
        let keys = try FileManager.default.contentsOfDirectory(atPath: server.dataFile("keys").path).filter { $0.hasPrefix("ocsp-signer-") }
        #expect(!keys.isEmpty)
        for key in keys {
            let mode = try FileManager.default.attributesOfItem(atPath: server.dataFile("keys/\(key)").path)[.posixPermissions] as? NSNumber
            #expect(mode?.intValue == 0o600, "\(key)")
        }

        #expect(try await server.stop() == .exited(0))
    }
}
