import Crypto
import Foundation
import PKI
import Storage
import SwiftASN1
import X509

/// The PKI benchmark's CA and stores: the built-in hierarchy (P-256 root and issuing CA, CDP/AIA extensions as the
/// server adds them) over a real SQLite database, and the same CAs over an in-memory inventory.
struct PKIBenchmarkFixture: Sendable {
    /// One measured phase.
    struct Measured: Sendable {
        var operations = 0
        var failures = 0
        var elapsed: Duration = .zero
        var latencies = LatencySamples()
        var cpu = CPUWindow.Usage()
        var firstError: String?

        var rate: Double {
            let (whole, fraction) = elapsed.components
            let seconds = Double(whole) + Double(fraction) / 1e18
            return seconds > 0 ? Double(operations) / seconds : 0
        }

        func row(name: String) -> ResultRow {
            ResultRow(name: name, operations: operations, failures: failures, elapsed: elapsed, latencies: latencies,
                      cpu: cpu, firstError: firstError)
        }
    }

    let directory: URL
    let database: ProvisioDatabase
    let databaseHierarchy: CAHierarchy
    let memoryHierarchy: CAHierarchy
    let profile: CertificateProfile
    static let revokedEnrollment = "bench-crl"

    init(directory: URL) async throws {
        self.directory = directory
        database = try ProvisioDatabase(path: directory.appendingPathComponent("provisio.sqlite").path)
        let endpoints = RevocationEndpoints(host: "127.0.0.1", port: 8080)
        var hierarchy = try await CAHierarchy.loadOrCreate(
            directory: directory.appendingPathComponent("ca"), keyStore: FileCAKeyStore(directory: directory.appendingPathComponent("keys")),
            configuration: .builtIn, profiles: .builtIn, inventory: database, now: Date())
        hierarchy.revocationEndpoints = endpoints
        databaseHierarchy = hierarchy
        var memory = try CAHierarchy(root: hierarchy.root, issuing: hierarchy.issuing, configuration: hierarchy.configuration,
                                     inventory: InMemoryCertificateInventory())
        memory.revocationEndpoints = endpoints
        memoryHierarchy = memory
        profile = try ProfileCatalog.builtIn.profile(named: "device-client")
    }

    /// DER PKCS#10 requests with fresh P-256 keys and CN `prefix-n`.
    static func makeCSRs(count: Int, prefix: String) throws -> [[UInt8]] {
        try (0..<count).map { index in
            let key = P256.Signing.PrivateKey()
            let csr = try CertificateSigningRequest(
                version: .v1, subject: try DistinguishedName { CommonName("\(prefix)-\(index)") },
                privateKey: .init(key), attributes: CertificateSigningRequest.Attributes(), signatureAlgorithm: .ecdsaWithSHA256)
            var serializer = DER.Serializer()
            try serializer.serialize(csr)
            return serializer.serializedBytes
        }
    }

    /// Parses, verifies and issues for each CSR in turn (one core, like `openssl speed`).
    func issue(_ csrs: [[UInt8]], hierarchy: CAHierarchy, enrollmentId: String? = nil) async throws -> Measured {
        var measured = Measured()
        let window = CPUWindow(serverPID: nil)
        let start = ContinuousClock.now
        for (index, der) in csrs.enumerated() {
            let began = ContinuousClock.now
            do {
                let csr = try CertificateSigningRequest(derEncoded: der)
                _ = try await hierarchy.issue(csr: csr, profile: profile, deviceId: "bench-device-\(index)", enrollmentId: enrollmentId, now: Date())
                measured.operations += 1
                measured.latencies.add(ContinuousClock.now - began)
            } catch {
                measured.failures += 1
                measured.firstError = measured.firstError ?? "\(error)"
            }
        }
        measured.elapsed = ContinuousClock.now - start
        measured.cpu = window.finish()
        return measured
    }

    /// Puts `count` certificates of the issuing CA into the SQLite inventory (copies of one really issued row, with
    /// their own serial numbers, in one `sqlite3` transaction: seeding is not what is measured) and revokes them all
    /// through the store in one transaction, which is timed.
    /// Returns the row and the serial number of the (good) template certificate.
    func seedRevocations(count: Int) async throws -> (row: ResultRow, goodSerial: String) {
        let template = try CertificateSigningRequest(derEncoded: try Self.makeCSRs(count: 1, prefix: "bench-crl-template")[0])
        let chain = try await databaseHierarchy.issue(csr: template, profile: profile, deviceId: "bench-crl-template",
                                                      enrollmentId: "bench-crl-template", now: Date())
        let goodSerial = IssuedCertificateRecord(certificate: chain[0], profile: profile.name).serialNumber
        let sql = """
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(count))
            INSERT INTO issued_certificate (serialNumber, subject, issuer, profile, notBefore, notAfter, status, deviceId, enrollmentId, der)
            SELECT printf('7e%014x', i), t.subject, t.issuer, t.profile, t.notBefore, t.notAfter, t.status, NULL, '\(Self.revokedEnrollment)', t.der
            FROM n, (SELECT * FROM issued_certificate WHERE enrollmentId = 'bench-crl-template' LIMIT 1) AS t;
            """
        try Self.runSQLite(database: directory.appendingPathComponent("provisio.sqlite").path, sql: sql)
        let window = CPUWindow(serverPID: nil)
        let start = ContinuousClock.now
        let outcome = try await database.revoke(.enrollmentId(Self.revokedEnrollment), reason: .keyCompromise, at: Date())
        let elapsed = ContinuousClock.now - start
        var latencies = LatencySamples()
        latencies.add(elapsed)
        return (ResultRow(name: "revoke \(outcome.revoked.count) (one transaction)", operations: outcome.revoked.count,
                          failures: count - outcome.revoked.count, elapsed: elapsed, latencies: latencies, cpu: window.finish()),
                goodSerial)
    }

    /// What the CRL phases measured.
    struct CRLResult {
        var rows: [ResultRow]
        var bytes: Int
        var opensslEntries: Int
    }

    /// The issuing CA's CRL: first through `RevocationAuthority` as the server makes it (read, CRL number, build,
    /// sign), then `rounds` times the read from SQLite and the build+sign on their own.
    func measureCRL(rounds: Int, expectedEntries: Int) async throws -> CRLResult {
        let authority = RevocationAuthority(hierarchy: databaseHierarchy, store: database)
        var first = LatencySamples()
        let window = CPUWindow(serverPID: nil)
        let began = ContinuousClock.now
        guard let list = try await authority.crl(forAuthorityNamed: CAHierarchy.issuingName, now: Date()) else {
            throw BenchmarkError("no CRL for the issuing CA")
        }
        let firstElapsed = ContinuousClock.now - began
        first.add(firstElapsed)
        var rows = [ResultRow(name: "CRL \(list.entryCount) entries: RevocationAuthority (read+number+sign)", operations: 1, failures: 0,
                              elapsed: firstElapsed, latencies: first, cpu: window.finish())]
        guard list.entryCount >= expectedEntries else {
            throw BenchmarkError("the CRL lists \(list.entryCount) entries, expected at least \(expectedEntries)")
        }

        // The inventory's string form of the issuing CA's name, as its certificates' `issuer` column holds it.
        let issuer = IssuedCertificateRecord(certificate: databaseHierarchy.issuing.certificate, profile: profile.name).subject
        var reads = LatencySamples(), builds = LatencySamples()
        var readTime: Duration = .zero, buildTime: Duration = .zero
        let readWindow = CPUWindow(serverPID: nil)
        var revocations: [CertificateRevocation] = []
        for _ in 0..<rounds {
            let start = ContinuousClock.now
            revocations = try await database.revokedCertificates(issuer: issuer)
            let elapsed = ContinuousClock.now - start
            reads.add(elapsed)
            readTime += elapsed
        }
        let readUsage = readWindow.finish()
        let buildWindow = CPUWindow(serverPID: nil)
        for round in 0..<rounds {
            let start = ContinuousClock.now
            _ = try await CertificateRevocationList.issue(by: databaseHierarchy.issuing, revocations: revocations, crlNumber: 1_000 + Int64(round),
                                                          thisUpdate: Date(), nextUpdate: Date().addingTimeInterval(86_400))
            let elapsed = ContinuousClock.now - start
            builds.add(elapsed)
            buildTime += elapsed
        }
        rows.append(ResultRow(name: "CRL: read \(revocations.count) revoked from SQLite", operations: rounds, failures: 0,
                              elapsed: readTime, latencies: reads, cpu: readUsage))
        rows.append(ResultRow(name: "CRL: build+sign DER, \(revocations.count) entries", operations: rounds, failures: 0,
                              elapsed: buildTime, latencies: builds, cpu: buildWindow.finish()))

        let file = directory.appendingPathComponent("issuing.crl")
        try Data(list.derBytes).write(to: file)
        let text = try OpenSSLCommand.run(["crl", "-inform", "DER", "-in", file.path, "-noout", "-text"])
        let listed = text.components(separatedBy: "Serial Number:").count - 1
        guard listed == list.entryCount else {
            throw BenchmarkError("openssl lists \(listed) entries in the CRL, Provisio wrote \(list.entryCount)")
        }
        return CRLResult(rows: rows, bytes: list.derBytes.count, opensslEntries: listed)
    }

    /// OCSP answers through `RevocationAuthority` (the responder the HTTP listener calls) for requests `openssl ocsp`
    /// built (SHA-1 CertIDs with a nonce), alternating a good and a revoked certificate; one of each is read back by
    /// `openssl ocsp -respin`.
    func measureOCSP(requests: Int, goodSerial good: String) async throws -> (row: ResultRow, note: String) {
        let authority = RevocationAuthority(hierarchy: databaseHierarchy, store: database)
        let issuerFile = directory.appendingPathComponent("issuing.pem")
        try databaseHierarchy.issuing.certificate.serializeAsPEM().pemString.write(to: issuerFile, atomically: true, encoding: .utf8)
        // The first seeded serial number (see `seedRevocations`).
        let revoked = "7e00000000000001"
        var bodies: [[UInt8]] = []
        for (name, serial) in [("good", good), ("revoked", revoked)] {
            let file = directory.appendingPathComponent("ocsp-\(name).req")
            try OpenSSLCommand.run(["ocsp", "-issuer", issuerFile.path, "-serial", "0x\(serial)", "-reqout", file.path])
            bodies.append(Array(try Data(contentsOf: file)))
        }
        var measured = Measured()
        let window = CPUWindow(serverPID: nil)
        let start = ContinuousClock.now
        var last: [[UInt8]] = [[], []]
        for index in 0..<requests {
            let began = ContinuousClock.now
            let response = await authority.ocspResponse(for: bodies[index % 2], now: Date())
            measured.latencies.add(ContinuousClock.now - began)
            measured.operations += 1
            last[index % 2] = response
        }
        measured.elapsed = ContinuousClock.now - start
        measured.cpu = window.finish()
        var statuses: [String] = []
        for (index, name) in ["good", "revoked"].enumerated() where !last[index].isEmpty {
            let file = directory.appendingPathComponent("ocsp-\(name).der")
            try Data(last[index]).write(to: file)
            let text = try OpenSSLCommand.run(["ocsp", "-respin", file.path, "-resp_text", "-noverify"])
            let status = text.split(separator: "\n").first { $0.contains("Cert Status:") }.map { $0.trimmingCharacters(in: .whitespaces) } ?? "?"
            guard status.hasSuffix(name) else { throw BenchmarkError("openssl reads the \(name) answer as \(status)") }
            statuses.append("\(name): \(status)")
        }
        return (measured.row(name: "OCSP response (in process, good/revoked alternating)"),
                "openssl ocsp -respin read the answers as \(statuses.joined(separator: ", "))")
    }

    private static func runSQLite(database: String, sql: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sqlite3", database]
        let input = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice  // the PRAGMA echoes its value
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(Data("PRAGMA busy_timeout = 10000;\nBEGIN;\n\(sql)\nCOMMIT;\n".utf8))
        try input.fileHandleForWriting.close()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0, errorText.isEmpty else {
            throw BenchmarkError("sqlite3 could not seed the revoked certificates (is the sqlite3 command installed?): \(errorText.prefix(300))")
        }
    }
}
