import Provisioning

/// Walks the service's query pages up to a limit and prints each item, as lines or as one streamed JSON array.
struct PagedListing<Item: Sendable & Encodable> {
    /// Print a JSON array instead of lines.
    var json: Bool
    /// Print at most this many items (nil: all).
    var limit: Int?

    /// Prints the items `fetch` returns page by page; returns how many were printed.
    @discardableResult
    func run(fetch: (QueryPageRequest) async throws -> QueryPage<Item>, line: (Item) -> String) async throws -> Int {
        if let limit, limit < 1 { throw CLIError("--limit must be at least 1") }
        let wanted = limit ?? .max
        var printed = 0
        var token: String?
        if json { print("[") }
        repeat {
            let size = min(QueryPageRequest.maximumPageSize, wanted - printed)
            let page = try await fetch(QueryPageRequest(pageSize: size, continuationToken: token))
            for item in page.items.prefix(wanted - printed) {
                if json {
                    // Streamed so a listing of every enrollment never holds them all in memory.
                    print((printed == 0 ? "" : ",\n") + (try EnrollmentText.json(item)), terminator: "")
                } else {
                    print(line(item))
                }
                printed += 1
            }
            token = page.continuationToken
        } while token != nil && printed < wanted
        if json { print(printed == 0 ? "]" : "\n]") }
        return printed
    }
}
