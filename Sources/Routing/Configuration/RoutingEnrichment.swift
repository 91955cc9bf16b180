import Hub
import Provisioning

/// A compiled enrichment: a static value, the hub's name, or a twin path evaluated per message.
struct RoutingEnrichment: Sendable {
    enum Value: Sendable {
        case fixed(String)
        case hubName
        case twin(RoutingExpression)
    }

    let key: String
    let value: Value
    let text: String
    let endpointNames: Set<String>

    init(_ configuration: EnrichmentConfiguration) throws(RoutingConfigurationError) {
        key = configuration.key
        text = configuration.value
        endpointNames = Set(configuration.endpointNames)
        let lowered = configuration.value.lowercased()
        if lowered == "$iothubname" {
            value = .hubName
        } else if lowered.hasPrefix("$twin") {
            let expression: RoutingExpression
            do {
                expression = try RoutingQueryParser.parseValue(configuration.value)
            } catch {
                throw RoutingConfigurationError("enrichment '\(key)': \(error)", position: error.position, reason: error.reason)
            }
            guard case .twin = expression else {
                throw RoutingConfigurationError("enrichment '\(key)': the value must be a single $twin path")
            }
            value = .twin(expression)
        } else if configuration.value.hasPrefix("$") {
            throw RoutingConfigurationError("enrichment '\(key)': '\(configuration.value)' is not $iothubname or a $twin path (static values may not start with '$')")
        } else {
            value = .fixed(configuration.value)
        }
    }

    var referencesTwin: Bool {
        if case .twin = value { return true }
        return false
    }

    /// The value for one message. A twin path that is not there stamps the path itself, as IoT Hub does.
    func resolve(in context: RoutingEvaluationContext, hubName: String) -> String {
        switch value {
        case .fixed(let text): return text
        case .hubName: return hubName
        case .twin(let expression): return expression.evaluate(in: context).map(RoutingValueText.text) ?? text
        }
    }
}
