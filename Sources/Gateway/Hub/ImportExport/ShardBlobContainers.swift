import Foundation
import Hub

/// Container SAS URIs of import and export jobs resolved to the shards' own blob services: the URI's host picks the
/// shard (by its host name), the path the container, and that shard's file-upload key checks the container SAS.
public struct ShardBlobContainers: BlobContainerResolver {
    private let uploads: [String: FileUploads]

    /// Creates the resolver over every shard's file uploads, keyed by the shard's host name.
    public init(uploadsByHostName: [String: FileUploads]) {
        uploads = Dictionary(uploadsByHostName.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    /// The container of `containerUri` if its SAS grants `permission`.
    public func resolve(containerUri: String, permission: Character) throws -> BlobContainerReference {
        guard let components = URLComponents(string: containerUri), components.scheme?.lowercased() == "https",
              let host = components.host?.lowercased()
        else { throw HubError.badRequest("a blob container URI is https://{hub host}/{container}?{SAS}") }
        guard let shardUploads = uploads[host] else {
            throw HubError.badRequest("the blob container URI does not name a Provisio hub's blob service (\(host))")
        }
        let container = components.path.split(separator: "/").first.map(String.init) ?? ""
        guard components.path.split(separator: "/").count == 1 else {
            throw HubError.badRequest("a blob container URI names one container, without a blob")
        }
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] { query[item.name] = item.value ?? "" }
        do {
            try shardUploads.authorize(container: container, query: query, permission: permission)
        } catch let error as HubError {
            throw HubError.badRequest("the blob container \(container): \(error.message)")
        }
        return BlobContainerReference(store: shardUploads.store, shard: shardUploads.shard.name, container: container)
    }
}
