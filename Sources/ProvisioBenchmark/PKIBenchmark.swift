import ArgumentParser
import Crypto
import Foundation
import PKI
import Storage
import SwiftASN1
import X509

/// `provisio-bench pki`: the CA's own work, in process, through the production code: certificates issued from CSRs
/// (ECDSA P-256, device-client profile) against `openssl speed ecdsap256` measured in the same run, the CRL of an
/// issuing CA with 100,000 revoked entries read from SQLite, and OCSP responses. Needs no running server.
struct PKIBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pki",
        abstract: "Certificates issued per second from CSRs (vs openssl speed), CRL generation with many entries, OCSP responses per second.")

    @Option(help: "CSRs to parse, verify and issue certificates for.")
    var certificates = 5_000

    @Option(help: "Of those, how many are also recorded in the SQLite inventory (durable, one transaction each).")
    var durableCertificates = 500

    @Option(help: "Revoked entries in the CRL.")
    var revoked = 100_000

    @Option(help: "CRL generations to time (the median is reported).")
    var crlRounds = 3

    @Option(help: "OCSP requests to answer.")
    var ocspRequests = 5_000

    @Option(help: "Seconds for `openssl speed` (0 skips the reference).")
    var opensslSeconds = 3

    @Option(help: "Scratch directory (a fresh temporary one by default; removed afterwards).")
    var workDirectory: String?

    func run() async throws {
        guard certificates > 0, revoked > 0, crlRounds > 0, ocspRequests > 0, durableCertificates >= 0 else {
            throw ValidationError("counts must be positive")
        }
        let work = URL(fileURLWithPath: workDirectory ?? NSTemporaryDirectory()).appendingPathComponent("provisio-bench-pki-\(RunTag.make())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        var report = BenchmarkReport(benchmark: "pki", parameters: [
            "certificates": "\(certificates)", "durableCertificates": "\(durableCertificates)", "revoked": "\(revoked)",
            "crlRounds": "\(crlRounds)", "ocspRequests": "\(ocspRequests)", "opensslSeconds": "\(opensslSeconds)",
        ])
        let fixture = try await PKIBenchmarkFixture(directory: work)

        progress("pki: \(certificates) CSRs (P-256) made in advance (not timed)")
        let csrs = try PKIBenchmarkFixture.makeCSRs(count: certificates, prefix: "bench-csr")
        let issuance = try await fixture.issue(csrs, hierarchy: fixture.memoryHierarchy)
        report.rows.append(issuance.row(name: "issue from CSR (in-memory inventory)"))
        if durableCertificates > 0 {
            progress("pki: \(durableCertificates) issuances recorded in SQLite")
            let durable = try await fixture.issue(Array(csrs.prefix(durableCertificates)), hierarchy: fixture.databaseHierarchy)
            report.rows.append(durable.row(name: "issue from CSR (SQLite inventory)"))
        }
        if opensslSeconds > 0 {
            progress("pki: openssl speed -seconds \(opensslSeconds) ecdsap256")
            let reference = try OpenSSLSpeed.ecdsaP256SignaturesPerSecond(seconds: opensslSeconds)
            report.summary["openssl ecdsap256 sign/s"] = reference
            report.summary["issued/s ÷ openssl sign/s"] = issuance.rate / reference
        }

        progress("pki: \(revoked) revoked certificates in SQLite (seeded with sqlite3, revoked through the store: timed separately)")
        let revocation = try await fixture.seedRevocations(count: revoked)
        report.rows.append(revocation.row)
        let crl = try await fixture.measureCRL(rounds: crlRounds, expectedEntries: revoked)
        report.rows.append(contentsOf: crl.rows)
        report.summary["CRL bytes"] = Double(crl.bytes)
        report.notes.append("the CRL parsed with `openssl crl -inform DER` (\(crl.opensslEntries) entries listed by openssl)")

        progress("pki: \(ocspRequests) OCSP requests")
        let ocsp = try await fixture.measureOCSP(requests: ocspRequests, goodSerial: revocation.goodSerial)
        report.rows.append(ocsp.row)
        report.notes.append(ocsp.note)
        try report.emit()
    }
}
