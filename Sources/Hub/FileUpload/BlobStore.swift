import Foundation

/// Where uploaded files live: the seam between the file-upload domain and a storage back end (local files today, an
/// S3-compatible store later). Blob names are validated by `FileUploads` before they reach a store. Writes go through a
/// `BlobWriter` so a whole file is never held in memory; block uploads stage blocks and commit them as one blob.
public protocol BlobStore: Sendable {
    /// Starts a single-shot write of a whole blob (Put Blob).
    func beginWrite(shard: String, container: String, blob: String) throws -> any BlobWriter
    /// Starts staging one block of a blob (Put Block).
    func beginBlock(shard: String, container: String, blob: String, blockId: String) throws -> any BlobWriter
    /// Bytes staged in blocks for the blob and not yet committed (a blob's blocks may not outgrow the file limit).
    func stagedBytes(shard: String, container: String, blob: String) throws -> Int64
    /// Writes the blob from its staged blocks in order (Put Block List) and drops the staged blocks; `HubError` named
    /// `InvalidBlockList` when a block is missing, `RequestBodyTooLarge` when the result would exceed `maximumBytes`.
    func commitBlocks(shard: String, container: String, blob: String, blockIds: [String], maximumBytes: Int64) throws -> BlobProperties
    /// The blob's properties, or nil when it does not exist.
    func properties(shard: String, container: String, blob: String) throws -> BlobProperties?
    /// Up to `length` bytes of the blob from `offset` (fewer at its end).
    func read(shard: String, container: String, blob: String, offset: Int64, length: Int) throws -> [UInt8]
    /// Every blob of a shard's container, by name.
    func list(shard: String, container: String) throws -> [BlobProperties]
    /// Removes a blob (and any blocks staged for it); no error when it does not exist.
    func remove(shard: String, container: String, blob: String) throws
}
