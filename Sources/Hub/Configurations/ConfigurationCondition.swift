import Foundation
import Provisioning

/// A configuration's target condition or custom metric query, evaluated with the twin query language.
///
/// A target condition is the `WHERE` part alone (`tags.x = 'y'`), `*` for every device, or empty for none. A metric
/// query is a whole query (`SELECT deviceId FROM devices WHERE …`); its projection only names what is counted, so
/// when the twin query parser does not take it, the query is evaluated as `SELECT * FROM devices WHERE …`.
public struct ConfigurationCondition: Sendable, Equatable {
    private enum Selection: Sendable, Equatable {
        case none
        case every
        case query(TwinQuery)
    }

    private let selection: Selection

    /// Parses a target condition; a syntax error is a 400 naming its position in `targetCondition`.
    public init(targetCondition: String) throws(HubError) {
        let trimmed = targetCondition.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty {
            selection = .none
        } else if trimmed == "*" {
            selection = .every
        } else if trimmed.range(of: #"^from\s+devices\.modules\b"#, options: [.regularExpression, .caseInsensitive]) != nil {
            throw .badRequest("target condition: module configurations (FROM devices.modules …) are not supported yet; target devices")
        } else {
            let prefix = "SELECT * FROM devices WHERE "
            selection = .query(try Self.parse(prefix + targetCondition, offset: prefix.count, what: "target condition"))
        }
    }

    /// Parses a custom metric query named `name`.
    public init(metricQuery: String, name: String) throws(HubError) {
        if let query = try? TwinQuery(parsing: metricQuery) {
            selection = .query(query)
            return
        }
        // Evaluate the projection-less form; errors in it are reported at their place in the original text.
        guard let (rewritten, offset) = Self.countingForm(of: metricQuery) else {
            throw .badRequest("metric query '\(name)': expected SELECT … FROM devices [WHERE …]")
        }
        selection = .query(try Self.parse(rewritten, offset: offset, what: "metric query '\(name)'"))
    }

    /// Whether the twin document (`DeviceTwin.serviceDocument`) is selected.
    public func matches(_ document: JSONValue) -> Bool {
        switch selection {
        case .none: false
        case .every: true
        case .query(let query): query.matches(document)
        }
    }

    private static func parse(_ text: String, offset: Int, what: String) throws(HubError) -> TwinQuery {
        do {
            return try TwinQuery(parsing: text)
        } catch {
            let position = max(1, error.position - offset)
            throw HubError(status: 400, errorCode: 400_004, name: "ArgumentInvalid",
                           message: "\(what): syntax error at position \(position): \(error.reason)")
        }
    }

    /// `SELECT <projection> FROM rest` as `SELECT * FROM rest`, with how many characters shorter the prefix became
    /// (negative when longer), or nil when the text does not have that shape.
    private static func countingForm(of text: String) -> (String, Int)? {
        let pattern = #"^\s*select\s+.+?\s+from\s"#
        guard let range = text.range(of: pattern, options: [.regularExpression, .caseInsensitive]) else { return nil }
        let replacement = "SELECT * FROM "
        let rewritten = replacement + text[range.upperBound...]
        return (rewritten, replacement.count - text.distance(from: text.startIndex, to: range.upperBound))
    }
}
