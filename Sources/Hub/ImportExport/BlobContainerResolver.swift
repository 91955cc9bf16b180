/// A blob container the hub may read or write: where its blobs live.
public struct BlobContainerReference: Sendable {
    /// The store.
    public var store: any BlobStore
    /// The shard whose blob service serves the container.
    public var shard: String
    /// Container name.
    public var container: String

    /// Creates a reference.
    public init(store: any BlobStore, shard: String, container: String) {
        self.store = store
        self.shard = shard
        self.container = container
    }
}

/// Turns a container SAS URI (`https://{shard host}/{container}?{SAS}`) into the container it grants, checking the SAS:
/// import and export jobs only reach Provisio's own blob service.
public protocol BlobContainerResolver: Sendable {
    /// The container, if the URI names one of Provisio's shards and its SAS grants `permission` (`r` or `w`) now;
    /// else a `HubError` (400) saying why.
    func resolve(containerUri: String, permission: Character) throws -> BlobContainerReference
}
