/// The body of a DPS query request (`{"query": "*"}`); only "everything" queries are supported.
public struct QuerySpecification: Codable, Sendable, Equatable {
    /// `*` or `SELECT * FROM enrollments` / `enrollmentGroups`.
    public var query: String

    /// Creates a specification.
    public init(query: String = "*") { self.query = query }

    /// Whether the query asks for every item of `collection` (case- and whitespace-insensitive).
    func selectsAll(from collections: [String]) -> Bool {
        let words = query.split(whereSeparator: \.isWhitespace).map { $0.lowercased() }
        if words == ["*"] || words.isEmpty { return true }
        return words.count == 4 && words[0] == "select" && words[1] == "*" && words[2] == "from"
            && collections.map { $0.lowercased() }.contains(words[3])
    }
}
