import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// What `python/audit_flow.py` reports.
struct AuditFlowReport: Decodable, Sendable {
    struct Entry: Decodable, Sendable {
        var sequence: Int
        var actor: String
        var action: String
        var target: String
        var details: [String: String]
        var detailsJSON: String
        var entryHash: String
        var previousHash: String
    }

    var created: String
    var status: Int
    var entries: [Entry]
    var badLimitStatus: Int
    var unauthenticatedStatus: Int
    var generatedKey: String
}

/// The audit log with the real server: actions through the service SDK and the CLI are recorded with their actors,
/// `provisio audit show` and `GET /audit` list them, `provisio audit verify` passes, and tampering with the SQLite
/// file through the `sqlite3` tool — removing the newest entry, editing an old one — makes it fail naming the entry.
@Suite("Audit log end to end", .timeLimit(.minutes(5)))
struct AuditLogTests {
    @Test("actions are audited with their actors; audit verify passes, then catches sqlite3 tampering")
    func auditTrail() async throws {
        let directory = try TemporaryDirectory(prefix: "audit")
        let server = try await ServerProcess.start(dataDirectory: directory)
        let data = CLIDataDirectory(directory: directory, hubHostNames: server.connection.hubs.map(\.hostName))
        let user = try #require(getpwuid(geteuid())?.pointee.pw_name.map { String(cString: $0) })

        // Service API: the enrollment is audited with the SDK's policy as the actor, and GET /audit lists it.
        let api = try await PythonRunner.run(
            "audit_flow.py", [server.dataFile("connection.json").path, "audit-api-1"], as: AuditFlowReport.self,
            timeout: .seconds(120))
        #expect(api.status == 200)
        let apiEntry = try #require(api.entries.first { $0.target == "enrollment/audit-api-1" }, "entries: \(api.entries)")
        #expect(apiEntry.actor == "service-api:provisioningserviceowner")
        #expect(apiEntry.details["attestation"] == "symmetricKey")
        #expect(api.badLimitStatus == 400)
        #expect(api.unauthenticatedStatus == 401)

        // CLI: an enrollment, a certificate from an openssl CSR, and its revocation.
        let create = try await data.run(["enrollment", "create", "--registration-id", "audit-cli-1", "--symmetric-key"])
        try #require(create.status == .exited(0), "stderr: \(create.stderr)")
        let scratch = try TemporaryDirectory(prefix: "audit-csr")
        let csr = try await TestEnvironment.runOpenSSL([
            "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", scratch.file("leaf.key.pem").path, "-out", scratch.file("leaf.csr.pem").path, "-subj", "/CN=audit-cli-1",
        ])
        try #require(csr.status == .exited(0), "openssl: \(csr.stderr)")
        let issue = try await data.run(["ca", "issue", "--csr", scratch.file("leaf.csr.pem").path, "--device-id", "audit-cli-1"])
        try #require(issue.status == .exited(0), "stderr: \(issue.stderr)")
        try issue.stdout.write(to: scratch.file("leaf.chain.pem"), atomically: true, encoding: .utf8)
        let serialOutput = try await TestEnvironment.runOpenSSL(["x509", "-in", scratch.file("leaf.chain.pem").path, "-noout", "-serial"])
        let serial = try #require(serialOutput.stdout.split(separator: "=").last?.trimmingCharacters(in: .whitespacesAndNewlines).lowercased())
        let revoke = try await data.run(["cert", "revoke", "--serial", serial, "--reason", "keyCompromise"])
        try #require(revoke.status == .exited(0), "stderr: \(revoke.stderr)")

        let show = try await data.run(["audit", "show", "--json"])
        try #require(show.status == .exited(0), "stderr: \(show.stderr)")
        let entries = try JSONDecoder().decode([AuditFlowReport.Entry].self, from: Data(show.stdout.utf8))
        #expect(entries.map(\.sequence) == Array(1...entries.count))
        #expect(entries.filter { $0.action == "ca.created" }.allSatisfy { $0.actor == "system" })
        #expect(entries.filter { $0.action == "ca.created" }.count >= 2, "root and issuing CA")
        #expect(entries.contains { $0.action == "policy.changed" && $0.target.hasPrefix("routing/") })
        #expect(entries.contains { $0.action == "enrollment.created" && $0.target == "enrollment/audit-api-1" })
        #expect(entries.contains { $0.action == "enrollment.created" && $0.target == "enrollment/audit-cli-1" && $0.actor == "cli:\(user)" })
        #expect(entries.contains { $0.action == "certificate.issued" && $0.target == "certificate/\(serial)" && $0.actor == "cli:\(user)" })
        let revoked = try #require(entries.first { $0.action == "certificate.revoked" })
        #expect(revoked.target == "certificate/\(serial)")
        #expect(revoked.details["reason"] == "keyCompromise")
        #expect(revoked.actor == "cli:\(user)")
        #expect(!show.stdout.contains(api.generatedKey), "an audit entry carries a symmetric key")
        for (previous, next) in zip(entries, entries.dropFirst()) {
            #expect(next.previousHash == previous.entryHash)
        }

        let filtered = try await data.run(["audit", "show", "--action", "certificate.", "--limit", "1"])
        #expect(filtered.status == .exited(0))
        #expect(filtered.stdout.split(separator: "\n").count == 1)
        #expect(filtered.stdout.contains("certificate.revoked") && filtered.stdout.contains("reason=keyCompromise"),
                "stdout: \(filtered.stdout)")

        let verify = try await data.run(["audit", "verify"])
        #expect(verify.status == .exited(0), "stderr: \(verify.stderr)")
        let head = try #require(verify.stdout.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) })
        #expect(verify.stdout.hasPrefix("ok: \(entries.count) entries, head \(entries.count):"), "stdout: \(verify.stdout)")
        #expect(try await server.stop() == .exited(0))

        // Tampering with the file: the newest entry removed (after dropping the guard trigger) …
        let database = directory.file("provisio.sqlite").path
        let newest = entries.count
        try await Self.sqlite(database, """
            DROP TRIGGER audit_entry_append_only_delete; DROP TRIGGER audit_entry_append_only_update;
            DELETE FROM audit_entry WHERE sequence = \(newest);
            """)
        let truncated = try await data.run(["audit", "verify"])
        #expect(truncated.status == .exited(1))
        #expect(truncated.stderr.contains("entry \(newest):"), "stderr: \(truncated.stderr)")
        let againstHead = try await data.run(["audit", "verify", "--expect-head", head])
        #expect(againstHead.status == .exited(1))
        #expect(againstHead.stderr.contains("entry \(newest):"), "stderr: \(againstHead.stderr)")

        // … and an older entry's details edited: the first bad entry is named.
        try await Self.sqlite(database, #"UPDATE audit_entry SET details = '{"reason":"none"}' WHERE sequence = 2;"#)
        let edited = try await data.run(["audit", "verify"])
        #expect(edited.status == .exited(1))
        #expect(edited.stderr.contains("entry 2:") && edited.stderr.contains("altered"), "stderr: \(edited.stderr)")
    }

    /// Runs SQL with the `sqlite3` command-line tool.
    private static func sqlite(_ database: String, _ sql: String) async throws {
        let output = try await ChildProcess.run(URL(fileURLWithPath: "/usr/bin/sqlite3"), [database, sql], timeout: .seconds(60))
        try #require(output.status == .exited(0), "sqlite3: \(output.stderr)")
    }
}
