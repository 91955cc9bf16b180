import Foundation
import Testing

/// The CA hierarchy a fresh server creates, checked by `openssl` as an independent verifier.
@Suite("Certificates", .timeLimit(.minutes(3)))
struct CertificateTests {
    @Test("The root, the issuing CA and every listener certificate verify with openssl; each SAN names its endpoint's IP")
    func serverCertificatesVerify() async throws {
        let server = try await ServerProcess.start()
        let root = server.dataFile("ca/root.cert.pem").path
        let issuing = server.dataFile("ca/issuing.cert.pem").path

        #expect(try Data(contentsOf: server.trustBundle) == Data(contentsOf: URL(fileURLWithPath: root)),
                "the trust bundle should be the root certificate")
        let rootCheck = try await TestEnvironment.runOpenSSL(["verify", "-CAfile", root, root])
        #expect(rootCheck.status == .exited(0), "root: \(rootCheck.stdout)\(rootCheck.stderr)")
        let issuingCheck = try await TestEnvironment.runOpenSSL(["verify", "-CAfile", root, issuing])
        #expect(issuingCheck.status == .exited(0), "issuing CA: \(issuingCheck.stdout)\(issuingCheck.stderr)")
        #expect(issuingCheck.stdout.contains("\(issuing): OK"))

        let endpoints = server.endpoints
        #expect(endpoints.map(\.name) == ["dps"] + server.addresses.shards.map(\.name))
        for endpoint in endpoints {
            let certificate = server.dataFile("tls/\(endpoint.name).cert.pem").path
            let verify = try await TestEnvironment.runOpenSSL(
                ["verify", "-CAfile", root, "-untrusted", issuing, "-purpose", "sslserver", certificate])
            #expect(verify.status == .exited(0), "\(endpoint.name): \(verify.stdout)\(verify.stderr)")
            #expect(verify.stdout.contains("\(certificate): OK"))

            let extensions = try await TestEnvironment.runOpenSSL(["x509", "-in", certificate, "-noout", "-ext", "subjectAltName"])
            #expect(extensions.status == .exited(0), "\(endpoint.name): \(extensions.stderr)")
            let ipAddresses = Self.ipAddresses(inSubjectAltNameText: extensions.stdout)
            #expect(ipAddresses.contains(endpoint.host), "\(endpoint.name) SAN: \(extensions.stdout)")
            let otherEndpoints = Set(endpoints.map(\.host)).subtracting([endpoint.host])
            #expect(ipAddresses.isDisjoint(with: otherEndpoints), "\(endpoint.name)'s certificate also names another endpoint: \(ipAddresses)")
        }
        #expect(try await server.stop() == .exited(0))
    }

    @Test("`provisio ca issue` turns an openssl P-256 CSR into a client chain that openssl verifies for sslclient")
    func caIssueSignsDeviceCSR() async throws {
        let server = try await ServerProcess.start()
        let scratch = try TemporaryDirectory(prefix: "csr")
        let key = scratch.file("device-42.key.pem").path
        let csr = scratch.file("device-42.csr.pem").path
        let request = try await TestEnvironment.runOpenSSL([
            "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-subj", "/CN=device-42", "-keyout", key, "-out", csr,
        ])
        try #require(request.status == .exited(0), "openssl req: \(request.stderr)")

        let issue = try await ChildProcess.run(
            try TestEnvironment.provisioBinary(),
            ["ca", "issue", "--data-dir", server.dataDirectory.path, "--csr", csr, "--profile", "device-client"])
        try #require(issue.status == .exited(0), "provisio ca issue: \(issue.stderr)")
        let certificates = Self.pemBlocks(in: issue.stdout)
        try #require(certificates.count >= 2, "expected leaf and issuing CA, got:\n\(issue.stdout)")
        let chain = scratch.file("chain.pem")
        let leaf = scratch.file("leaf.pem")
        try issue.stdout.write(to: chain, atomically: true, encoding: .utf8)
        try certificates[0].write(to: leaf, atomically: true, encoding: .utf8)

        let root = server.dataFile("ca/root.cert.pem").path
        let verify = try await TestEnvironment.runOpenSSL(
            ["verify", "-CAfile", root, "-untrusted", chain.path, "-purpose", "sslclient", leaf.path])
        #expect(verify.status == .exited(0), "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stdout.contains("\(leaf.path): OK"))

        // CA/device-client.yaml grants clientAuth only.
        let asServer = try await TestEnvironment.runOpenSSL(
            ["verify", "-CAfile", root, "-untrusted", chain.path, "-purpose", "sslserver", leaf.path])
        #expect(asServer.status != .exited(0), "a device-client certificate must not pass as a TLS server certificate")

        let subject = try await TestEnvironment.runOpenSSL(["x509", "-in", leaf.path, "-noout", "-subject", "-nameopt", "RFC2253"])
        #expect(subject.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "subject=CN=device-42")

        // Like certificates issued at registration, it names the server's CRL and OCSP responder, which answer for it.
        let text = try await TestEnvironment.runOpenSSL(["x509", "-in", leaf.path, "-noout", "-ext", "crlDistributionPoints,authorityInfoAccess"])
        let crlURL = try #require(text.stdout.split(whereSeparator: \.isWhitespace).first { $0.hasPrefix("URI:http://") && $0.hasSuffix(".crl") },
                                  "no CRL distribution point: \(text.stdout)")
        #expect(text.stdout.contains("OCSP - URI:http://"), "no OCSP URL: \(text.stdout)")
        let crlFile = scratch.file("issuing.crl")
        let fetch = try await ChildProcess.run(URL(fileURLWithPath: "/usr/bin/curl"), ["-sf", "-o", crlFile.path, String(crlURL.dropFirst("URI:".count))])
        #expect(fetch.status == .exited(0), "GET \(crlURL): \(fetch.stderr)")
        let crlCheck = try await TestEnvironment.runOpenSSL(
            ["verify", "-crl_check", "-CRLfile", crlFile.path, "-CAfile", root, "-untrusted", chain.path, leaf.path])
        #expect(crlCheck.status == .exited(0), "\(crlCheck.stdout)\(crlCheck.stderr)")
        let issuedKey = try await TestEnvironment.runOpenSSL(["x509", "-in", leaf.path, "-noout", "-pubkey"])
        let requestKey = try await TestEnvironment.runOpenSSL(["pkey", "-in", key, "-pubout"])
        #expect(!issuedKey.stdout.isEmpty && issuedKey.stdout == requestKey.stdout, "the certificate must carry the CSR's public key")
        #expect(try await server.stop() == .exited(0))
    }

    /// The IP addresses in `openssl x509 -ext subjectAltName` output.
    private static func ipAddresses(inSubjectAltNameText text: String) -> Set<String> {
        let entries = text.split(whereSeparator: { $0 == "," || $0.isNewline }).map { $0.trimmingCharacters(in: .whitespaces) }
        return Set(entries.compactMap { $0.hasPrefix("IP Address:") ? String($0.dropFirst("IP Address:".count)) : nil })
    }

    /// The PEM certificate blocks in `text`, in order.
    private static func pemBlocks(in text: String) -> [String] {
        let end = "-----END CERTIFICATE-----"
        return text.components(separatedBy: end).dropLast().compactMap { chunk in
            guard let begin = chunk.range(of: "-----BEGIN CERTIFICATE-----") else { return nil }
            return String(chunk[begin.lowerBound...]) + end + "\n"
        }
    }
}
