import Foundation

/// One write in progress into a `BlobStore`: bytes are appended, then the write is committed (durable and visible at
/// once) or aborted (nothing changes). Used by one request at a time, so it need not be `Sendable`.
public protocol BlobWriter: AnyObject {
    /// Bytes appended so far.
    var bytesWritten: Int64 { get }
    /// Appends bytes.
    func append(_ bytes: UnsafeRawBufferPointer) throws
    /// Makes the write durable and visible; returns the blob's properties (for staged blocks, the block's size).
    func commit() throws -> BlobProperties
    /// Drops the write.
    func abort()
}
