import ArgumentParser
import Foundation
import PKI
import ProvisioServer
import Storage
import X509

extension CACommand {
    /// `provisio ca list [--json]`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List CA generations: generation, role, subject, serial, validity and state.",
            discussion: "States: active (issues now), pending (activates at T), verifying-only (its certificates still verify), retired.")
        @OptionGroup var data: DataDirectoryOptions
        @Flag(help: "Print a JSON array.") var json = false

        func run() async throws {
            let (rotation, _) = try openRotation(data)
            let now = Date()
            let set = try await reportingRotationErrors { try await rotation.load(now: now) }
            let rows = CAGenerationListing.rows(set, now: now)
            print(json ? try CAGenerationListing.json(rows) : CAGenerationListing.table(rows), terminator: json ? "\n" : "")
        }
    }

    /// `provisio ca rotate [--root] [--activate-at ISO8601|now]`.
    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a CA generation: a new issuing CA under the current root, or with --root a new root too.",
            discussion: """
            The new root (if any) joins the trust bundle at once; issuance (CSR registration, `ca issue`, EST) and the \
            listeners' TLS certificates switch to the new issuing CA at --activate-at. The old generation keeps verifying \
            until `provisio ca retire`. A running server picks the change up within a second.
            """)
        @OptionGroup var data: DataDirectoryOptions
        @Flag(help: "Roll over the root as well (a new self-signed root; clients pick it up from the trust bundle).")
        var root = false
        @Option(name: .customLong("activate-at"), help: "When issuance switches: an ISO 8601 time (2025-01-31T12:00:00Z) or now.")
        var activateAt: String = "now"

        func validate() throws {
            guard Self.activationTime(activateAt, now: Date()) != nil else {
                throw ValidationError("--activate-at takes an ISO 8601 time such as 2025-01-31T12:00:00Z, or now")
            }
        }

        func run() async throws {
            let (rotation, directory) = try openRotation(data)
            let now = Date()
            let activation = Self.activationTime(activateAt, now: now) ?? now
            let (set, added) = try await reportingRotationErrors {
                try await rotation.rotate(newRoot: root, activatesAt: activation, now: now)
            }
            try CARotation.writeTrustBundle(set, to: directory)
            print("added CA generation \(added.number) (\(set.status(of: added.number, at: now)?.text ?? "-"))")
            print(CAGenerationListing.table(CAGenerationListing.rows(set, now: now).filter { $0.generation == added.number }),
                  terminator: "")
            print("trust bundle: \(directory.trustBundle.path) (\(set.trustedRoots.count) roots)")
        }

        static func activationTime(_ text: String, now: Date) -> Date? {
            if text.lowercased() == "now" { return now }
            return try? Date(text, strategy: .iso8601)
        }
    }

    /// `provisio ca retire GENERATION`.
    struct Retire: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Retire a CA generation: its certificates stop verifying, its root leaves the trust bundle (unless shared).",
            discussion: "The active generation cannot be retired. The retired issuing CA is listed on its root's CRL (cessationOfOperation).")
        @OptionGroup var data: DataDirectoryOptions
        @Argument(help: "The generation number, as `provisio ca list` shows it.") var generation: Int

        func run() async throws {
            let (rotation, directory) = try openRotation(data)
            let set = try await reportingRotationErrors { try await rotation.retire(generation: generation, now: Date()) }
            try CARotation.writeTrustBundle(set, to: directory)
            print("retired CA generation \(generation)")
            print("trust bundle: \(directory.trustBundle.path) (\(set.trustedRoots.count) roots)")
        }
    }
}

/// The rotation of an existing data directory (created by `provisio serve`).
func openRotation(_ options: DataDirectoryOptions) throws -> (CARotation, DataDirectory) {
    let directory = DataDirectory(path: options.dataDirectory)
    guard directory.hasCertificateAuthority else {
        throw CLIError("no CA in \(directory.root.path); `provisio serve --data-dir \(options.dataDirectory)` creates one on first start")
    }
    let database = try ProvisioDatabase(path: directory.database.path)
    return (CARotation(dataDirectory: directory, database: database), directory)
}

private func reportingRotationErrors<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as PKIError {
        throw CLIError(CLIError.oneLine(error.message))
    } catch {
        throw CLIError.from(error)
    }
}
