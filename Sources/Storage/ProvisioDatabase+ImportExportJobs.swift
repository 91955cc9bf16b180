import Foundation
import GRDB
import Hub

extension ProvisioDatabase: ImportExportJobStore {
    /// Import and export jobs, one JSON row per shard and job id (created with the configurations table in v15).
    static func createImportExportJobTable(_ db: Database) throws {
        try db.create(table: "hub_import_export_job") { table in
            table.column("shard", .text).notNull()
            table.column("job_id", .text).notNull()
            table.column("sequence", .integer).notNull()
            table.column("json", .text).notNull()
            table.primaryKey(["shard", "job_id"])
        }
    }

    /// Stores a new job; false when the id is taken.
    public func insertImportExportJob(_ job: ImportExportJob, shard: String) async throws -> Bool {
        let json = try StoredJSON().encode(job, record: Self.describeImportExportJob(job.jobId, shard: shard))
        return try await pool.write { db in
            let sequence = try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(sequence), 0) + 1 FROM hub_import_export_job WHERE shard = ?",
                                            arguments: [shard]) ?? 1
            try db.execute(sql: """
                INSERT INTO hub_import_export_job (shard, job_id, sequence, json) VALUES (?, ?, ?, ?)
                ON CONFLICT(shard, job_id) DO NOTHING
                """, arguments: [shard, job.jobId, sequence, json])
            return db.changesCount > 0
        }
    }

    /// Replaces a stored job.
    public func updateImportExportJob(_ job: ImportExportJob, shard: String) async throws {
        let json = try StoredJSON().encode(job, record: Self.describeImportExportJob(job.jobId, shard: shard))
        try await pool.write { db in
            try db.execute(sql: "UPDATE hub_import_export_job SET json = ? WHERE shard = ? AND job_id = ?", arguments: [json, shard, job.jobId])
        }
    }

    /// One job.
    public func importExportJob(shard: String, jobId: String) async throws -> ImportExportJob? {
        try await pool.read { db in
            guard let json = try String.fetchOne(db, sql: "SELECT json FROM hub_import_export_job WHERE shard = ? AND job_id = ?",
                                                 arguments: [shard, jobId])
            else { return nil }
            return try StoredJSON().decode(ImportExportJob.self, from: json, record: Self.describeImportExportJob(jobId, shard: shard))
        }
    }

    /// Every job of a shard, oldest first.
    public func importExportJobs(shard: String) async throws -> [ImportExportJob] {
        try await pool.read { db in
            let coder = StoredJSON()
            return try Row.fetchAll(db, sql: "SELECT job_id, json FROM hub_import_export_job WHERE shard = ? ORDER BY sequence",
                                    arguments: [shard]).map { row in
                try coder.decode(ImportExportJob.self, from: row["json"], record: Self.describeImportExportJob(row["job_id"], shard: shard))
            }
        }
    }

    private static func describeImportExportJob(_ id: String, shard: String) -> String {
        "import/export job '\(id)' on shard '\(shard)'"
    }
}
