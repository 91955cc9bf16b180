import Foundation

/// The durable record of a shard's uploads (`FileUploadRecord`), kept by the same back end as the files.
public protocol FileUploadLedger: Sendable {
    /// Stores (or replaces) a record; durable when this returns.
    func saveUpload(_ record: FileUploadRecord, shard: String) throws
    /// The record of a correlation id, if any.
    func upload(correlationId: String, shard: String) throws -> FileUploadRecord?
    /// Every record of the shard, oldest first.
    func uploads(shard: String) throws -> [FileUploadRecord]
    /// Removes a record.
    func removeUpload(correlationId: String, shard: String) throws
}
