import Foundation

/// One page of query results and the token for the next page (nil on the last page).
public struct QueryPage<Item: Sendable>: Sendable {
    /// The items of this page.
    public var items: [Item]
    /// Opaque token for `x-ms-continuation`; present only when more items remain.
    public var continuationToken: String?
    /// The page size that was applied.
    public var pageSize: Int

    /// Creates a page.
    public init(items: [Item], continuationToken: String?, pageSize: Int) {
        self.items = items
        self.continuationToken = continuationToken
        self.pageSize = pageSize
    }
}

/// Which page a client asks for: `x-ms-max-item-count` and `x-ms-continuation`.
public struct QueryPageRequest: Sendable, Equatable {
    /// Page size used when the client names none.
    public static let defaultPageSize = 100
    /// Largest page size served; larger requests are clamped.
    public static let maximumPageSize = 1000

    /// Requested page size, if any.
    public var pageSize: Int?
    /// The continuation token from the previous page, if any.
    public var continuationToken: String?

    /// Creates a request.
    public init(pageSize: Int? = nil, continuationToken: String? = nil) {
        self.pageSize = pageSize
        self.continuationToken = continuationToken
    }

    /// The page size to apply (default 100, at most 1000); a size below 1 is a 400.
    func effectivePageSize() throws(ProvisioningError) -> Int {
        guard let pageSize else { return Self.defaultPageSize }
        guard pageSize >= 1 else { throw .badRequest("x-ms-max-item-count must be a positive number") }
        return min(pageSize, Self.maximumPageSize)
    }

    /// The id after which the page starts; the token is Base64 of the previous page's last id.
    func cursor() throws(ProvisioningError) -> String? {
        guard let token = continuationToken, !token.isEmpty else { return nil }
        guard let data = Data(base64Encoded: token), let id = String(data: data, encoding: .utf8), !id.isEmpty else {
            throw .badRequest("x-ms-continuation is not a valid continuation token")
        }
        return id
    }

    /// Cuts `fetched` (up to one item more than a page) into a page and the next token.
    static func page<Item>(_ fetched: [Item], pageSize: Int, id: (Item) -> String) -> QueryPage<Item> {
        guard fetched.count > pageSize else { return QueryPage(items: fetched, continuationToken: nil, pageSize: pageSize) }
        let items = Array(fetched.prefix(pageSize))
        let token = items.last.map { Data(id($0).utf8).base64EncodedString() }
        return QueryPage(items: items, continuationToken: token, pageSize: pageSize)
    }
}
