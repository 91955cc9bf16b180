import ArgumentParser
import Foundation
import PKI
import ProvisioServer
import Storage

/// `provisio cert …`: the inventory of issued certificates, and revocation.
///
/// Both work on the data directory's database directly, also while `provisio serve` runs: a running server
/// notices a revocation within a fraction of a second, closes the device's connections and reissues its CRLs.
struct CertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cert", abstract: "List issued certificates and revoke them.",
        subcommands: [List.self, Revoke.self])

    /// `provisio cert revoke --serial S | --device ID | --enrollment ID [--reason R]`.
    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a certificate, or every certificate of a device or enrollment (at once, everywhere).")
        @OptionGroup var data: DataDirectoryOptions
        @Option(name: .customLong("serial"), help: "Serial number in hex, as openssl prints it (any case, colons allowed).")
        var serialNumber: String?
        @Option(name: .customLong("device"), help: "Revoke every certificate issued to this device.") var deviceId: String?
        @Option(name: .customLong("enrollment"), help: "Revoke every certificate issued under this enrollment or group.")
        var enrollmentId: String?
        @Option(help: ArgumentHelp("RFC 5280 reason.", discussion: RevocationReason.names.joined(separator: ", ")))
        var reason: String = "unspecified"

        func validate() throws {
            let given = [serialNumber, deviceId, enrollmentId].compactMap { $0 }
            guard given.count == 1 else { throw ValidationError("give exactly one of --serial, --device or --enrollment") }
            guard RevocationReason(name: reason) != nil else {
                throw ValidationError("--reason must be one of \(RevocationReason.names.joined(separator: ", "))")
            }
        }

        func run() async throws {
            let target: RevocationTarget =
                if let serialNumber { .serialNumber(serialNumber) }
                else if let deviceId { .deviceId(deviceId) }
                else { .enrollmentId(enrollmentId ?? "") }
            let authority = try await openRevocationAuthority(data)
            let outcome = try await reportingPKIErrors {
                try await authority.revoke(target, reason: RevocationReason(name: reason) ?? .unspecified, now: Date())
            }
            for entry in outcome.revoked {
                print("revoked\t\(CertificateListing.row(entry))")
            }
            for entry in outcome.alreadyRevoked {
                print("already revoked\t\(CertificateListing.row(entry))")
            }
        }
    }

    /// `provisio cert list [--device ID] [--expiring 30d] [--revoked] [--json]`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List issued certificates: serial, status, device, not-after, subject, revocation.")
        @OptionGroup var data: DataDirectoryOptions
        @Option(name: .customLong("device"), help: "Only certificates of this device.") var deviceId: String?
        @Option(help: "Only unrevoked certificates expiring within this period: 30d, 12h, 2w (a bare number is days).")
        var expiring: String?
        @Flag(help: "Only revoked certificates.") var revoked = false
        @Flag(help: "Print a JSON array.") var json = false

        func validate() throws {
            if let expiring, CertificateListing.duration(expiring) == nil {
                throw ValidationError("--expiring takes a period such as 30d, 12h or 2w")
            }
        }

        func run() async throws {
            let now = Date()
            let filter = IssuedCertificateFilter(
                deviceId: deviceId, expiringBefore: expiring.flatMap(CertificateListing.duration).map(now.addingTimeInterval),
                revokedOnly: revoked)
            let database = try openDatabase(data)
            let entries = try await reportingPKIErrors { try await database.issuedCertificates(matching: filter, now: now) }
            if json {
                print(try CertificateListing.json(entries))
            } else {
                for entry in entries { print(CertificateListing.row(entry)) }
            }
        }
    }
}

/// The database of an existing data directory.
private func openDatabase(_ options: DataDirectoryOptions) throws -> ProvisioDatabase {
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

/// The revocation authority over an existing data directory's CAs and database.
private func openRevocationAuthority(_ options: DataDirectoryOptions) async throws -> RevocationAuthority {
    let directory = DataDirectory(path: options.dataDirectory)
    guard directory.hasCertificateAuthority else {
        throw CLIError("no CA in \(directory.root.path); `provisio serve --data-dir \(options.dataDirectory)` creates one on first start")
    }
    let database = try openDatabase(options)
    let hierarchy = try await reportingPKIErrors {
        try await CAHierarchy.loadOrCreate(
            directory: directory.caDirectory, keyStore: FileCAKeyStore(directory: directory.keyDirectory),
            configuration: .builtIn, profiles: .builtIn, inventory: database, now: Date())
    }
    return RevocationAuthority(hierarchy: hierarchy, store: database)
}

/// Runs `body`, showing a `PKIError` as its public message.
private func reportingPKIErrors<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as PKIError {
        throw CLIError(CLIError.oneLine(error.message))
    } catch {
        throw CLIError.from(error)
    }
}
