/// Durable import and export jobs of every shard.
public protocol ImportExportJobStore: Sendable {
    /// Stores a new job; false when the id is taken.
    func insertImportExportJob(_ job: ImportExportJob, shard: String) async throws -> Bool
    /// Replaces a stored job.
    func updateImportExportJob(_ job: ImportExportJob, shard: String) async throws
    /// One job.
    func importExportJob(shard: String, jobId: String) async throws -> ImportExportJob?
    /// Every job of a shard, oldest first.
    func importExportJobs(shard: String) async throws -> [ImportExportJob]
}
