import Hub
import Provisioning

/// One message under evaluation: its body parsed at most once however many conditions look at it.
final class RoutingEvaluationContext {
    let message: RoutingMessage
    let twin: DeviceTwin?
    private var parsedBody: JSONValue??

    init(message: RoutingMessage, twin: DeviceTwin?) {
        self.message = message
        self.twin = twin
    }

    /// The body as JSON, or nil when routing may not look into it.
    var body: JSONValue? {
        if let parsedBody { return parsedBody }
        let parsed = MessageBodyDecoding.routableJSON(message.body, contentType: message.systemProperties["content-type"],
                                                      contentEncoding: message.systemProperties["content-encoding"])
        parsedBody = .some(parsed)
        return parsed
    }

    /// One section of the twin as a JSON object; nil without a twin.
    func twinSection(_ section: RoutingExpression.TwinSection) -> JSONValue? {
        guard let twin else { return nil }
        switch section {
        case .tags: return .object(twin.tags)
        case .desired:
            var members = twin.desired
            members["$version"] = .number(Double(twin.desiredVersion))
            return .object(members)
        case .reported:
            var members = twin.reported
            members["$version"] = .number(Double(twin.reportedVersion))
            return .object(members)
        }
    }
}
