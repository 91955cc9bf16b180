import Foundation
import Provisioning

extension HubShard {
    /// Runs a twin query (`POST /devices/query`) over the shard's devices in id order, one page at a time.
    ///
    /// The continuation token is opaque to callers: it holds the key of the last twin returned. Syntax errors are
    /// `HubError.badRequest` naming the position and the reason. `presence` supplies live `connectionState`.
    public func queryTwins(_ text: String, pageSize: Int = TwinQueryPage.defaultPageSize, continuationToken: String? = nil,
                           presence: (any DevicePresence)? = nil) async throws -> TwinQueryPage {
        let query: TwinQuery
        do {
            query = try TwinQuery(parsing: text)
        } catch {
            throw HubError(status: 400, errorCode: 400_004, name: "ArgumentInvalid", message: "query \(error.description)")
        }
        guard pageSize > 0 else { throw HubError.badRequest("x-ms-max-item-count must be at least 1") }
        let limit = min(pageSize, TwinQueryPage.maximumPageSize)
        let cursor = try continuationToken.flatMap { token throws(HubError) in try Self.cursor(fromContinuation: token) }
        var items: [(key: String, document: JSONValue)] = []
        var more = false
        try await forEachDevice(after: cursor) { record in
            let identity = record.identity.withConnectionState(on: name, presence: presence)
            let document = record.twin.serviceDocument(identity: identity)
            guard query.matches(document) else { return true }
            guard items.count < limit else {
                more = true
                return false
            }
            items.append((record.key, document))
            return true
        }
        return TwinQueryPage(items: items.map(\.document),
                             continuationToken: more ? items.last.map { Self.continuation(after: $0.key) } : nil)
    }

    static func continuation(after key: String) -> String {
        Data(key.utf8).base64EncodedString()
    }

    static func cursor(fromContinuation token: String) throws(HubError) -> String? {
        let trimmed = token.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        guard let data = Data(base64Encoded: trimmed), let key = String(data: data, encoding: .utf8) else {
            throw .badRequest("x-ms-continuation is not a continuation token this hub issued")
        }
        return key
    }
}
