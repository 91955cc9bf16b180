import Foundation

/// What the blob store knows of a stored blob.
public struct BlobProperties: Sendable, Equatable {
    /// The container.
    public var containerName: String
    /// The blob name (`{deviceId}/{name}`).
    public var blobName: String
    /// Its size.
    public var size: Int64
    /// When it was last written.
    public var lastModified: Date

    /// Creates properties.
    public init(containerName: String, blobName: String, size: Int64, lastModified: Date) {
        self.containerName = containerName
        self.blobName = blobName
        self.size = size
        self.lastModified = lastModified
    }

    /// An Azure-style ETag (`"0x…"`) that changes with every write.
    public var etag: String {
        let stamp = UInt64(clamping: Int64((lastModified.timeIntervalSince1970 * 1_000_000).rounded()))
        return "\"0x\(String(stamp, radix: 16, uppercase: true))\(String(UInt64(clamping: size), radix: 16, uppercase: true))\""
    }
}
