import Provisioning
import Storage

/// Imports parsed entries: every enrollment goes through `EnrollmentService` (over a staging overlay), the accepted
/// ones are written with `saveIndividualEnrollments`, one transaction per batch.
struct EnrollmentImporter {
    /// Where the enrollments go.
    let database: ProvisioDatabase
    /// Hubs `iotHubs` may name.
    let linkedHubHostNames: [String]
    /// `.create` (existing ids are rejected) or `.update` (they are replaced).
    let mode: BulkEnrollmentOperation.Mode
    /// Entries per service call and per transaction.
    var batchSize = 1_000

    /// Imports `entries` in file order; a storage failure stops the import (earlier batches stay written).
    ///
    /// Whether an id exists is judged before its batch is written, not in the write's transaction (the bulk save
    /// has no precondition): an enrollment the running server creates meanwhile may be replaced.
    func run(_ entries: [ImportEntry], progress: inout ImportProgress) async throws -> ImportReport {
        let staging = StagedEnrollmentRepository(base: database)
        let service = EnrollmentService(repository: staging, linkedHubHostNames: linkedHubHostNames, maximumBulkOperationSize: batchSize,
                                        randomBytes: SystemEntropy.bytes)
        do {
            // Listing reads a row for a fraction of a point read's cost; past twice the import's size, memory wins.
            try await staging.listExisting(limit: max(2 * entries.count, batchSize))
        } catch {
            throw CLIError("cannot read the existing enrollments: \(CLIError.from(error))")
        }
        var report = ImportReport()
        var firstLines: [String: Int] = [:]
        var done = 0
        while done < entries.count {
            let chunk = entries[done..<min(done + batchSize, entries.count)]
            var batch: [ImportEntry] = []
            var enrollments: [IndividualEnrollment] = []
            for entry in chunk {
                let key = entry.registrationId.lowercased()
                if !key.isEmpty {
                    if let first = firstLines[key] {
                        report.reject(line: entry.line, "duplicate registration id '\(entry.registrationId.prefix(140))' (first on line \(first))")
                        continue
                    }
                    firstLines[key] = entry.line
                }
                switch entry.content {
                case .failure(let reason):
                    report.reject(line: entry.line, reason.description)
                case .success(let enrollment):
                    batch.append(entry)
                    enrollments.append(enrollment)
                }
            }
            do {
                let result = try await service.runBulkOperation(BulkEnrollmentOperation(enrollments: enrollments, mode: mode))
                Self.attribute(result.errors, to: batch, in: &report)
                let accepted = await staging.drain()
                try await database.saveIndividualEnrollments(accepted)
                report.imported += accepted.count
            } catch {
                throw CLIError("import stopped at line \(chunk.first?.line ?? 0) after \(report.imported) enrollments were written: \(CLIError.from(error))")
            }
            done += chunk.count
            progress.update(done: done)
        }
        return report
    }

    /// The service reports failures in batch order, by registration id; ids are unique in a batch except empty
    /// ones (which always fail), so matching in order finds each failure's entry.
    private static func attribute(_ errors: [BulkEnrollmentOperationResult.ItemError], to batch: [ImportEntry], in report: inout ImportReport) {
        var pending = errors[...]
        for entry in batch {
            guard let error = pending.first else { break }
            guard case .success(let enrollment) = entry.content, enrollment.registrationId == error.registrationId else { continue }
            report.reject(line: entry.line, error.errorStatus)
            pending = pending.dropFirst()
        }
    }
}
