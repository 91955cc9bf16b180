import Provisioning

extension TwinQuery {
    /// The member name a projection item takes in result objects: its alias, else the path's last member, else
    /// `$n` (its 1-based place in the list), as IoT Hub names an unnamed `COUNT()`.
    public func resultName(at index: Int) -> String {
        guard let projections, projections.indices.contains(index) else { return "$\(index + 1)" }
        let item = projections[index]
        if let alias = item.alias { return alias }
        if case .path(let path) = item.expression, let last = path.segments.last { return last }
        return "$\(index + 1)"
    }

    /// One result row for a selected document: the document itself for `SELECT *`, else an object of the selected
    /// values (members whose path is undefined are left out, as IoT Hub does).
    public func project(_ document: JSONValue) -> JSONValue {
        guard let projections else { return document }
        var row: [String: JSONValue] = [:]
        for (index, item) in projections.enumerated() {
            guard case .path(let path) = item.expression, let value = Self.value(at: path, in: document) else { continue }
            row[resultName(at: index)] = value
        }
        return .object(row)
    }

    /// The `GROUP BY` key of a document (undefined members stay nil: they form their own group).
    func groupKey(of document: JSONValue) -> [JSONValue?] {
        groupBy.map { Self.value(at: $0, in: document) }
    }

    /// The result row of one group: its selected group-by values and `COUNT()`.
    func aggregateRow(key: [JSONValue?], count: Int) -> JSONValue {
        var row: [String: JSONValue] = [:]
        for (index, item) in (projections ?? []).enumerated() {
            switch item.expression {
            case .count:
                row[resultName(at: index)] = .number(Double(count))
            case .path(let path):
                if let position = groupBy.firstIndex(of: path), let value = key[position] { row[resultName(at: index)] = value }
            }
        }
        return .object(row)
    }

    /// Whether `lhs` sorts before `rhs` under `ORDER BY` (ties keep registry order).
    func orders(_ lhs: JSONValue, before rhs: JSONValue) -> Bool {
        for ordering in orderBy {
            let order = Self.order(Self.value(at: ordering.path, in: lhs), Self.value(at: ordering.path, in: rhs))
            if order != 0 { return ordering.descending ? order > 0 : order < 0 }
        }
        return false
    }

    /// Cosmos DB's cross-type order: undefined, null, booleans, numbers, strings, arrays, objects.
    public static func order(_ lhs: JSONValue?, _ rhs: JSONValue?) -> Int {
        let (a, b) = (rank(lhs), rank(rhs))
        if a != b { return a < b ? -1 : 1 }
        switch (lhs, rhs) {
        case (.bool(let x), .bool(let y)): return x == y ? 0 : (x ? 1 : -1)
        case (.number(let x), .number(let y)): return x < y ? -1 : (x > y ? 1 : 0)
        case (.string(let x), .string(let y)): return x < y ? -1 : (x > y ? 1 : 0)
        default: return 0
        }
    }

    private static func rank(_ value: JSONValue?) -> Int {
        switch value {
        case nil: 0
        case .null: 1
        case .bool: 2
        case .number: 3
        case .string: 4
        case .array: 5
        case .object: 6
        }
    }
}
