import Foundation
import Provisioning
import ProvisioServer
import Storage

/// A data directory's database with the enrollment service over it: what the manufacturer commands work on.
///
/// The commands write the SQLite file directly, also while `provisio serve` runs (WAL lets both in), so every
/// rule — validation, etags, key generation — comes from the same `EnrollmentService` the server uses.
struct EnrollmentStore: Sendable {
    /// The database of the data directory.
    let database: ProvisioDatabase
    /// The service, with the hubs `--iot-hub` may name.
    let service: EnrollmentService
    /// Host names of the linked hubs, as the service checks them.
    let linkedHubHostNames: [String]

    /// Opens the database of an existing data directory; refuses a directory `provisio serve` never initialised.
    static func open(_ options: DataDirectoryOptions, configurationFile: String? = nil,
                     maximumBulkOperationSize: Int = 10) throws -> EnrollmentStore {
        let directory = DataDirectory(path: options.dataDirectory)
        guard FileManager.default.fileExists(atPath: directory.database.path) else {
            throw CLIError("no database in \(directory.root.path): run provisio serve --data-dir \(options.dataDirectory) first")
        }
        let hubs = try LinkedHubs.hostNames(directory: directory, configurationFile: configurationFile)
        let database: ProvisioDatabase
        do {
            database = try ProvisioDatabase(path: directory.database.path)
        } catch {
            throw CLIError.from(error)
        }
        return EnrollmentStore(
            database: database,
            service: EnrollmentService(repository: database, linkedHubHostNames: hubs, maximumBulkOperationSize: maximumBulkOperationSize),
            linkedHubHostNames: hubs)
    }
}
