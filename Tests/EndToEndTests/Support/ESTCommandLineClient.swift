import Foundation
import Synchronization

/// An EST (RFC 7030) client made of the tools an operator would use: `openssl req` makes keys and CSRs, `curl`
/// talks to the server, `openssl pkcs7` and `openssl verify` read and check the answers.
struct ESTCommandLineClient {
    /// One HTTP exchange.
    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// A key and the base64 DER CSR for it.
    struct Request {
        var key: URL
        var csrBase64: URL
    }

    let baseURL: String
    let trustBundle: URL
    let work: TemporaryDirectory
    private static let counter = Counter()

    /// A client of the EST endpoints on `host:port` (the DPS HTTPS listener), trusting `trustBundle`.
    init(host: String, port: Int, trustBundle: URL, work: TemporaryDirectory) {
        self.baseURL = "https://\(host):\(port)/.well-known/est"
        self.trustBundle = trustBundle
        self.work = work
    }

    /// `openssl req -new -newkey ec (P-256) -nodes -subj /CN=… -outform DER`, then base64 as EST sends it.
    func request(commonName: String, name: String) async throws -> Request {
        let key = work.file("\(name).key.pem")
        let der = work.file("\(name).csr.der")
        let result = try await TestEnvironment.runOpenSSL([
            "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=\(commonName)",
            "-keyout", key.path, "-outform", "DER", "-out", der.path,
        ])
        guard result.status == .exited(0) else { throw TestEnvironmentError("openssl req failed: \(result.stderr)") }
        let base64 = work.file("\(name).csr.b64")
        try (try Data(contentsOf: der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed]) + "\n")
            .write(to: base64, atomically: true, encoding: .utf8)
        return Request(key: key, csrBase64: base64)
    }

    /// `curl` to `path` (after `/.well-known/est/`): POSTs `body` as `application/pkcs10` when given, with Basic
    /// credentials and/or a client certificate.
    func call(_ path: String, body: URL? = nil, basic: (user: String, password: String)? = nil,
              certificate: (certificate: URL, key: URL)? = nil) async throws -> Reply {
        let index = Self.counter.next()
        let bodyFile = work.file("reply-\(index).body")
        let headerFile = work.file("reply-\(index).headers")
        var arguments = ["-sS", "--cacert", trustBundle.path, "-o", bodyFile.path, "-D", headerFile.path, "-w", "%{http_code}"]
        if let body {
            arguments += ["-H", "Content-Type: application/pkcs10", "--data-binary", "@\(body.path)"]
        }
        if let basic { arguments += ["-u", "\(basic.user):\(basic.password)"] }
        if let certificate { arguments += ["--cert", certificate.certificate.path, "--key", certificate.key.path] }
        let output = try await ChildProcess.run(URL(fileURLWithPath: "/usr/bin/curl"), arguments + ["\(baseURL)/\(path)"])
        guard output.status == .exited(0), let status = Int(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw TestEnvironmentError("curl \(path) failed (\(output.status)): \(output.stderr)")
        }
        var headers: [String: String] = [:]
        for line in (try String(contentsOf: headerFile, encoding: .utf8)).split(whereSeparator: \.isNewline) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Reply(status: status, headers: headers, body: (try? Data(contentsOf: bodyFile)) ?? Data())
    }

    /// Decodes a certs-only reply and has `openssl pkcs7 -inform DER -print_certs` write its certificates as PEM.
    func certificates(in reply: Reply, name: String) async throws -> (pem: URL, printed: String) {
        guard let der = Data(base64Encoded: reply.text.filter { !$0.isWhitespace }) else {
            throw TestEnvironmentError("the reply is not base64: \(reply.text.prefix(200))")
        }
        let derFile = work.file("\(name).p7.der")
        try der.write(to: derFile)
        let pem = work.file("\(name).pem")
        let result = try await TestEnvironment.runOpenSSL(["pkcs7", "-inform", "DER", "-in", derFile.path, "-print_certs", "-out", pem.path])
        guard result.status == .exited(0) else { throw TestEnvironmentError("openssl pkcs7 failed: \(result.stderr)") }
        let printed = try String(contentsOf: pem, encoding: .utf8)
        return (pem, printed)
    }

    /// `openssl verify -CAfile <trust bundle> -untrusted <intermediates> <leaf>`: its output.
    func verify(_ leaf: URL, intermediates: URL) async throws -> String {
        let result = try await TestEnvironment.runOpenSSL(["verify", "-CAfile", trustBundle.path, "-untrusted", intermediates.path, leaf.path])
        return (result.stdout + result.stderr).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The serial as `openssl x509 -serial` prints it, lowercased.
    func serial(of certificate: URL) async throws -> String {
        let result = try await TestEnvironment.runOpenSSL(["x509", "-noout", "-serial", "-in", certificate.path])
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "serial=", with: "").lowercased()
    }

    /// Numbers the reply files.
    private final class Counter: Sendable {
        private let value = Mutex(0)
        func next() -> Int { value.withLock { $0 += 1; return $0 } }
    }
}
