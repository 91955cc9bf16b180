import Foundation
import Testing

/// `provisio ca upload / verification-code / verify`: proof of possession of a manufacturer's CA, with
/// certificates made by `openssl`.
@Suite("provisio ca proof of possession", .timeLimit(.minutes(5)))
struct CLICertificateAuthorityTests {
    @Test("Upload a CA, sign its verification code with openssl, verify; groups can then reference it")
    func proofOfPossession() async throws {
        let data = try await CLIDataDirectory.make()
        let scratch = try TemporaryDirectory(prefix: "cli-ca")
        let caKey = scratch.file("ca.key.pem").path
        let caCertificate = scratch.file("ca.cert.pem").path
        let makeCA = try await TestEnvironment.runOpenSSL([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", caKey, "-out", caCertificate,
            "-subj", "/CN=Factory Line CA", "-days", "30",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ])
        try #require(makeCA.status == .exited(0), "openssl: \(makeCA.stderr)")

        let upload = try await data.run(["ca", "upload", "factory", "--cert", caCertificate])
        try #require(upload.status == .exited(0), "stderr: \(upload.stderr)")
        #expect(upload.stdout.contains("CN=Factory Line CA"), "stdout: \(upload.stdout)")
        #expect(upload.stdout.contains("verified:") && upload.stdout.contains("no"), "stdout: \(upload.stdout)")

        let early = try await data.run(["ca", "verify", "factory", "--cert", caCertificate])
        #expect(early.status == .exited(1), "no code was generated yet")
        #expect(early.stderr.contains("generate one first"), "stderr: \(early.stderr)")

        let codeRun = try await data.run(["ca", "verification-code", "factory"])
        try #require(codeRun.status == .exited(0), "stderr: \(codeRun.stderr)")
        let code = codeRun.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(code.count == 48 && code.allSatisfy(\.isHexDigit), "code: \(code)")

        // A leaf for the wrong CN is refused; the right one, signed by the CA's key, verifies.
        let wrong = try await Self.leaf(commonName: "not-the-code", caCertificate: caCertificate, caKey: caKey, in: scratch)
        let refused = try await data.run(["ca", "verify", "factory", "--cert", wrong])
        #expect(refused.status == .exited(1))
        #expect(refused.stderr.contains("does not match the verification code"), "stderr: \(refused.stderr)")

        let proof = try await Self.leaf(commonName: code, caCertificate: caCertificate, caKey: caKey, in: scratch)
        let verify = try await data.run(["ca", "verify", "factory", "--cert", proof])
        try #require(verify.status == .exited(0), "stderr: \(verify.stderr)")
        #expect(verify.stdout.contains("verified:") && verify.stdout.contains("yes"), "stdout: \(verify.stdout)")

        let group = try await data.run(["enrollment-group", "create", "--group-id", "factory-line", "--ca-ref", "factory", "--json"])
        #expect(group.status == .exited(0), "stderr: \(group.stderr)")
        #expect(try CLIEnrollmentJSON.decode(group.stdout).attestation.type == "x509")

        // A leaf is not a CA: the upload is refused.
        let notCA = try await data.run(["ca", "upload", "leaf", "--cert", proof])
        #expect(notCA.status == .exited(1))
        #expect(notCA.stderr.contains("not a CA certificate"), "stderr: \(notCA.stderr)")
    }

    /// An EC leaf for `commonName` signed by the CA; returns its PEM path.
    private static func leaf(commonName: String, caCertificate: String, caKey: String, in scratch: TemporaryDirectory) async throws -> String {
        let key = scratch.file("\(commonName).key.pem").path
        let request = scratch.file("\(commonName).csr.pem").path
        let certificate = scratch.file("\(commonName).cert.pem").path
        let csr = try await TestEnvironment.runOpenSSL([
            "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", request,
            "-subj", "/CN=\(commonName)",
        ])
        try #require(csr.status == .exited(0), "openssl req: \(csr.stderr)")
        let sign = try await TestEnvironment.runOpenSSL([
            "x509", "-req", "-in", request, "-CA", caCertificate, "-CAkey", caKey, "-CAcreateserial",
            "-CAserial", scratch.file("ca.srl").path, "-out", certificate, "-days", "1",
        ])
        try #require(sign.status == .exited(0), "openssl x509: \(sign.stderr)")
        return certificate
    }
}
