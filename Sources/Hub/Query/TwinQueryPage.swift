import Provisioning

/// One page of twin query results: twin documents and the token for the next page (nil on the last).
public struct TwinQueryPage: Sendable, Equatable {
    /// Twin documents (`DeviceTwin.serviceDocument`).
    public var items: [JSONValue]
    /// Pass back as `x-ms-continuation` for the next page.
    public var continuationToken: String?

    /// Creates a page.
    public init(items: [JSONValue], continuationToken: String?) {
        self.items = items
        self.continuationToken = continuationToken
    }

    /// The page size when the caller names none.
    public static let defaultPageSize = 100
    /// The largest page served.
    public static let maximumPageSize = 1000
}
