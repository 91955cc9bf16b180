import Hub
import Provisioning

/// The twin query language: any text either parses or is refused with a syntax error, and a parsed query
/// evaluates over a twin document without trapping.
enum TwinQueryFuzzing {
    /// A service-side twin document with the shapes queries reach into: tags, nested properties, arrays, nulls.
    static let document: JSONValue = .object([
        "deviceId": .string("dev-1"), "etag": .string("AAAAAAAAAAE="), "status": .string("enabled"), "version": .number(4),
        "connectionState": .string("Connected"), "capabilities": .object(["iotEdge": .bool(false)]),
        "tags": .object(["location": .object(["region": .string("US"), "floor": .number(3)]), "kind": .string("sensor"),
                         "list": .array([.number(1), .string("two"), .null])]),
        "properties": .object([
            "desired": .object(["interval": .number(30), "telemetryConfig": .object(["sendFrequency": .string("5m")]),
                                "$version": .number(4)]),
            "reported": .object(["firmware": .string("2.0"), "battery": .object(["level": .number(80)]), "ok": .bool(true),
                                 "gone": .null, "$version": .number(7)]),
        ]),
    ])

    static func run(_ input: [UInt8]) throws(FuzzFinding) {
        let text = String(decoding: input, as: UTF8.self)
        guard let query = try? TwinQuery(parsing: text) else { return }
        _ = query.matches(document)
        _ = query.matches(.object([:]))
        if let condition = query.condition {
            // The same condition over a document of the wrong shape (a bare value) must simply not match.
            _ = TwinQuery(collection: query.collection, condition: condition).matches(.array([document]))
        }
    }
}
