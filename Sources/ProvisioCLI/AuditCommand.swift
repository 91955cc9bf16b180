import ArgumentParser
import Foundation
import PKI
import ProvisioServer
import Storage

/// `provisio audit …`: the tamper-evident log of security-relevant actions.
///
/// Both subcommands read the data directory's database directly, also while `provisio serve` runs.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Show and verify the tamper-evident audit log.",
        subcommands: [Show.self, Verify.self])

    /// `provisio audit show [--since T] [--action A] [--target T] [--limit N] [--json]`.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List audit entries, oldest first: sequence, time, actor, action, target, details.")
        @OptionGroup var data: DataDirectoryOptions
        @Option(help: "Only entries from this time on: ISO 8601 (2025-01-31T12:00:00Z) or a period back from now (24h, 7d).")
        var since: String?
        @Option(help: "Only this action (certificate.revoked) or family (certificate.).") var action: String?
        @Option(help: "Only this target (enrollment/dev-1) or kind (enrollment).") var target: String?
        @Option(help: "Only the newest N entries.") var limit: Int?
        @Flag(help: "Print a JSON array (with the hashes).") var json = false

        func validate() throws {
            if let since, AuditCommand.date(since, now: Date()) == nil {
                throw ValidationError("--since takes an ISO 8601 time or a period such as 24h or 7d")
            }
            if let limit, limit < 0 { throw ValidationError("--limit must not be negative") }
        }

        func run() async throws {
            let filter = AuditFilter(since: since.flatMap { AuditCommand.date($0, now: Date()) }, action: action,
                                     target: target, limit: limit)
            let database = try AuditCommand.openDatabase(data)
            let entries = try await CLIError.reporting { try await database.auditEntries(matching: filter) }
            if json {
                print(String(decoding: try AuditEntryExport.json(entries), as: UTF8.self))
                return
            }
            for entry in entries {
                let details = entry.detailValues.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                print([String(entry.sequence), AuditTime.text(entry.timestamp), entry.actor, entry.action, entry.target, details]
                    .map(CLIError.oneLine).joined(separator: "\t"))
            }
        }
    }

    /// `provisio audit verify [--expect-head SEQ:HASH]`.
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every entry's hash, the chain and the anchor; exit 1 naming the first bad entry.",
            discussion: """
            Prints `ok: N entries, head SEQ:HASH`. Keep that head somewhere the server cannot write (a ticket, \
            a SIEM) and pass it later with --expect-head: removal of entries up to it is then detected even by \
            someone who holds the audit key.
            """)
        @OptionGroup var data: DataDirectoryOptions
        @Option(name: .customLong("expect-head"), help: "A head printed by an earlier verify (SEQ:HASH); it must still be in the log.")
        var expectedHead: String?

        func validate() throws {
            if let expectedHead, AuditHead(parsing: expectedHead) == nil {
                throw ValidationError("--expect-head takes SEQUENCE:HASH as `provisio audit verify` prints it")
            }
        }

        func run() async throws {
            let database = try AuditCommand.openDatabase(data)
            let result = try await CLIError.reporting {
                try await database.verifyAuditLog(expecting: expectedHead.flatMap(AuditHead.init(parsing:)))
            }
            if let failure = result.failure {
                FileHandle.standardError.write(Data("audit log verification FAILED at entry \(failure.sequence): \(failure.reason)\n".utf8))
                throw ExitCode(1)
            }
            print("ok: \(result.entryCount) entries, head \(result.head.map(String.init(describing:)) ?? "none")")
        }
    }

    /// An ISO 8601 time, or now minus a period (`24h`, `7d`).
    static func date(_ text: String, now: Date) -> Date? {
        if let period = CertificateListing.duration(text) { return now.addingTimeInterval(-period) }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle())
    }

    /// The database of an existing data directory.
    static func openDatabase(_ options: DataDirectoryOptions) throws -> ProvisioDatabase {
        let directory = DataDirectory(path: options.dataDirectory)
        guard FileManager.default.fileExists(atPath: directory.database.path) else {
            throw CLIError("no database in \(directory.root.path): run provisio serve --data-dir \(options.dataDirectory) first")
        }
        do {
            return try ProvisioDatabase(path: directory.database.path)
        } catch {
            throw CLIError.from(error)
        }
    }
}
