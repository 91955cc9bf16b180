import Foundation

/// DPS MQTT topics: what a device publishes and the exact reply topic the Azure SDK can parse.
enum DPSTopic: Equatable {
    /// `$dps/registrations/PUT/iotdps-register/?$rid={rid}`
    case register(requestId: String)
    /// `$dps/registrations/GET/iotdps-get-operationstatus/?$rid={rid}&operationId={id}`
    case operationStatus(requestId: String, operationId: String)

    /// The subscription the SDK makes for replies.
    static let responseFilter = "$dps/registrations/res/#"

    /// Parses a device topic; nil when it is not a DPS request.
    init?(_ topic: String) {
        let registerPrefix = "$dps/registrations/PUT/iotdps-register/?"
        let statusPrefix = "$dps/registrations/GET/iotdps-get-operationstatus/?"
        let query: Substring
        let isRegister: Bool
        if topic.hasPrefix(registerPrefix) {
            query = topic.dropFirst(registerPrefix.count)
            isRegister = true
        } else if topic.hasPrefix(statusPrefix) {
            query = topic.dropFirst(statusPrefix.count)
            isRegister = false
        } else {
            return nil
        }
        var parameters: [String: String] = [:]
        for pair in query.split(separator: "&") {
            guard let equals = pair.firstIndex(of: "=") else { return nil }
            let key = String(pair[..<equals])
            parameters[key] = String(pair[pair.index(after: equals)...]).removingPercentEncoding
        }
        guard let requestId = query.split(separator: "&").first.flatMap({ pair -> String? in
            pair.hasPrefix("$rid=") ? String(pair.dropFirst(5)) : nil
        }) else { return nil }
        if isRegister {
            self = .register(requestId: requestId)
        } else {
            guard let operationId = parameters["operationId"], !operationId.isEmpty else { return nil }
            self = .operationStatus(requestId: requestId, operationId: operationId)
        }
    }

    /// `$dps/registrations/res/{status}/?$rid={rid}[&retry-after={n}]`: `$rid` first (echoed byte for byte) and no
    /// other `$` key, because the SDK's parser depends on both.
    static func response(status: Int, requestId: String, retryAfter: Int? = nil) -> String {
        var topic = "$dps/registrations/res/\(status)/?$rid=\(requestId)"
        if let retryAfter { topic += "&retry-after=\(retryAfter)" }
        return topic
    }
}
