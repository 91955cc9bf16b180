import Foundation
import Hub
import Provisioning

/// A compiled routing condition: parsed and checked once (at `PUT /routing` or start-up), evaluated per message.
public struct RoutingCondition: Sendable, Equatable, CustomStringConvertible {
    /// The condition as written.
    public let text: String
    let expression: RoutingExpression

    /// Compiles `text`; an empty or blank condition is `true`. Text over `limits` (length, nesting, operators) does not
    /// compile, so a stored condition can never make evaluation recurse without bound.
    public init(_ text: String, limits: QueryLimits = .standard) throws(RoutingQuerySyntaxError) {
        self.text = text
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        expression = trimmed.isEmpty ? .literal(.bool(true)) : try RoutingQueryParser.parse(text, limits: limits)
    }

    /// Whether evaluation needs the device twin (`$twin…`), so the router loads it only then.
    public var referencesTwin: Bool { expression.referencesTwin }

    /// Whether `message` matches: the condition evaluates to exactly `true`.
    public func matches(_ message: RoutingMessage, twin: DeviceTwin? = nil) -> Bool {
        matches(RoutingEvaluationContext(message: message, twin: twin))
    }

    func matches(_ context: RoutingEvaluationContext) -> Bool {
        expression.evaluate(in: context) == .bool(true)
    }

    /// The value of the condition, nil for `undefined` (for tests and diagnostics).
    public func value(for message: RoutingMessage, twin: DeviceTwin? = nil) -> JSONValue? {
        expression.evaluate(in: RoutingEvaluationContext(message: message, twin: twin))
    }

    /// The text.
    public var description: String { text }
}
