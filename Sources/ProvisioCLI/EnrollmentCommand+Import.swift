import ArgumentParser
import Foundation
import Provisioning

extension EnrollmentCommand {
    /// `provisio enrollment import FILE [--format csv|json] [--mode create|update]`.
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import individual enrollments from a CSV or JSON file.",
            discussion: """
                JSON: an array of IndividualEnrollment objects (DPS wire shape).
                CSV: a header row, then one enrollment per row. Columns:
                  \(EnrollmentCSVFormat.header)
                attestation is symmetricKey, x509 or tpm. Empty symmetric keys are generated; tpm rows put the
                endorsement key in primaryKey and the storage root key in secondaryKey; x509 rows name a device
                certificate in certificateFile (relative to the CSV file). iotHubs are separated by ';';
                initialTwin is JSON text (CSV-quoted).
                Every row is validated like a service API request. Rejected rows are listed by line; the exit code
                is 0 when everything was imported, 2 when some rows were rejected, 1 on a fatal error.
                """)
        @OptionGroup var data: DataDirectoryOptions
        @Argument(help: "The CSV or JSON file.") var file: String
        @Option(help: "csv or json (default: from the file name, else csv).") var format: String?
        @Option(help: "create (existing registration ids are rejected) or update (they are replaced).") var mode: String = "create"
        @Option(name: .customLong("config"), help: "The server configuration, for the hubs iotHubs may name (default: the running server's connection.json, else the built-in configuration).")
        var configurationFile: String?

        func run() async throws {
            let report = try await CLIError.reporting {
                let operation = try operationMode()
                let store = try EnrollmentStore.open(data, configurationFile: configurationFile)
                let entries = try readEntries()
                var progress = ImportProgress(total: entries.count)
                defer { progress.finish() }
                return try await EnrollmentImporter(database: store.database, linkedHubHostNames: store.linkedHubHostNames, mode: operation)
                    .run(entries, progress: &progress)
            }
            print(report.summary)
            if !report.rejections.isEmpty { throw ExitCode(2) }
        }

        private func operationMode() throws -> BulkEnrollmentOperation.Mode {
            switch mode.lowercased() {
            case "create": return .create
            case "update": return .update
            default: throw CLIError("unknown mode '\(mode.prefix(40))': use create or update")
            }
        }

        private func readEntries() throws -> [ImportEntry] {
            let url = URL(fileURLWithPath: file)
            let bytes: [UInt8]
            do {
                bytes = Array(try Data(contentsOf: url))
            } catch {
                throw CLIError("cannot read \(file)")
            }
            switch (format ?? (url.pathExtension.lowercased() == "json" ? "json" : "csv")).lowercased() {
            case "csv": return try EnrollmentCSVFormat(baseDirectory: url.deletingLastPathComponent()).entries(bytes)
            case "json": return try EnrollmentJSONFormat.entries(bytes)
            default: throw CLIError("unknown format '\(format?.prefix(40) ?? "")': use csv or json")
            }
        }
    }
}
