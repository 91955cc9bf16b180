import Foundation
import Provisioning

extension HubShard {
    /// Runs an IoT Hub query (`POST /devices/query`) over the shard's devices, module twins or device jobs.
    ///
    /// Plain `SELECT … FROM devices [WHERE …]` streams in device-id order and its continuation token holds the key of
    /// the last twin returned; queries that sort, group, count or stop at `TOP n` are evaluated whole and paged by
    /// position. Tokens are opaque to callers. Syntax errors are `HubError.badRequest` naming the position and the
    /// reason. `presence` supplies live `connectionState`.
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
        let cursor = try continuationToken.flatMap { token throws(HubError) in try QueryCursor(token: token) }
        guard query.streams else {
            let offset: Int
            switch cursor {
            case nil: offset = 0
            case .position(let position): offset = position
            case .key: throw HubError.badRequest("x-ms-continuation does not belong to this query")
            }
            return try await materializedPage(query, offset: offset, limit: limit, presence: presence)
        }
        let after: String?
        switch cursor {
        case nil: after = nil
        case .key(let key): after = key
        case .position: throw HubError.badRequest("x-ms-continuation does not belong to this query")
        }
        var items: [(key: String, document: JSONValue)] = []
        var more = false
        try await forEachDevice(after: after) { record in
            let identity = record.identity.withConnectionState(on: name, presence: presence)
            let document = record.twin.serviceDocument(identity: identity)
            guard query.matches(document) else { return true }
            guard items.count < limit else {
                more = true
                return false
            }
            items.append((record.key, query.project(document)))
            return true
        }
        return TwinQueryPage(items: items.map(\.document),
                             continuationToken: more ? items.last.map { QueryCursor.key($0.key).token } : nil)
    }

    /// The most documents a sorted (or module or job) query without `TOP` holds in memory.
    static let maximumSortedResults = 100_000

    /// Evaluates a query that sorts, groups, counts or stops at `TOP n` over its whole collection and returns one page.
    private func materializedPage(_ query: TwinQuery, offset: Int, limit: Int, presence: (any DevicePresence)?) async throws -> TwinQueryPage {
        var rows: [JSONValue] = []
        if query.aggregates {
            var groups: [[JSONValue?]: Int] = [:]
            try await forEachDocument(of: query, presence: presence) { document in
                groups[query.groupKey(of: document), default: 0] += 1
                return true
            }
            if query.groupBy.isEmpty, groups.isEmpty { groups[[]] = 0 }
            let keys = groups.keys.sorted { lhs, rhs in
                for (a, b) in zip(lhs, rhs) {
                    let order = TwinQuery.order(a, b)
                    if order != 0 { return order < 0 }
                }
                return false
            }
            rows = keys.map { query.aggregateRow(key: $0, count: groups[$0] ?? 0) }
        } else {
            // Without ORDER BY, TOP stops the walk early; with it every match is needed before sorting.
            let stopAt = query.orderBy.isEmpty ? query.top : nil
            var documents: [JSONValue] = []
            var tooMany = false
            try await forEachDocument(of: query, presence: presence) { document in
                documents.append(document)
                if let top = query.top, !query.orderBy.isEmpty, documents.count >= 2 * max(top, 1000) {
                    // Sorted TOP n keeps only the best n so far, so memory stays bounded by n.
                    documents.sort { query.orders($0, before: $1) }
                    documents.removeLast(documents.count - top)
                } else if query.top == nil, documents.count > Self.maximumSortedResults {
                    tooMany = true
                    return false
                }
                return stopAt.map { documents.count < $0 } ?? true
            }
            if tooMany {
                throw HubError.badRequest("a query with ORDER BY, or over devices.modules or devices.jobs, handles at most "
                                          + "\(Self.maximumSortedResults) matching documents; narrow the WHERE condition or add TOP")
            }
            if !query.orderBy.isEmpty { documents.sort { query.orders($0, before: $1) } }
            if let top = query.top, documents.count > top { documents.removeLast(documents.count - top) }
            rows = documents.map { query.project($0) }
        }
        guard offset < rows.count else { return TwinQueryPage(items: [], continuationToken: nil) }
        let end = offset + min(limit, rows.count - offset)
        return TwinQueryPage(items: Array(rows[offset..<end]), continuationToken: end < rows.count ? QueryCursor.position(end).token : nil)
    }

    /// Calls `body` with every document of the query's collection that its condition selects; `body` returns false to stop.
    private func forEachDocument(of query: TwinQuery, presence: (any DevicePresence)?,
                                 _ body: (JSONValue) throws -> Bool) async throws {
        switch TwinQuery.Collection(rawValue: query.collection) ?? .devices {
        case .devices:
            try await forEachDevice { record in
                let identity = record.identity.withConnectionState(on: name, presence: presence)
                let document = record.twin.serviceDocument(identity: identity)
                guard query.matches(document) else { return true }
                return try body(document)
            }
        case .modules:
            guard let moduleRegistry else { return }
            var deviceIds: [String] = []
            try await forEachDevice { record in
                deviceIds.append(record.identity.deviceId)
                return true
            }
            for deviceId in deviceIds {
                for module in try await moduleRegistry.modules(shard: name, deviceId: deviceId) {
                    guard let moduleId = module.moduleId,
                          let twin = try await moduleRegistry.moduleTwin(shard: name, deviceId: deviceId, moduleId: moduleId) else { continue }
                    let identity = module.withConnectionState(on: name, presence: presence)
                    var document = twin.serviceDocument(identity: identity)
                    if case .object(var members) = document {
                        members["moduleId"] = .string(moduleId)
                        document = .object(members)
                    }
                    guard query.matches(document) else { continue }
                    guard try body(document) else { return }
                }
            }
        case .jobs:
            guard jobStore != nil else {
                throw HubError.badRequest("query FROM devices.jobs is not supported: this shard keeps no scheduled jobs")
            }
            var cursor: DeviceJobCursor?
            while true {
                let batch = try await deviceJobs(after: cursor, limit: 500)
                for record in batch {
                    let document = record.queryDocument
                    guard query.matches(document) else { continue }
                    guard try body(document) else { return }
                }
                guard batch.count == 500, let last = batch.last else { return }
                cursor = DeviceJobCursor(deviceId: last.deviceId, jobId: last.jobId)
            }
        }
    }
}
