import Foundation

/// Device-side IoT Hub MQTT topics.
enum HubTopic: Equatable {
    /// `devices/{dev}[/modules/{mod}]/messages/events/{bag}`
    case telemetry(deviceId: String, moduleId: String?, propertyBag: Substring)
    /// `$iothub/twin/GET/?$rid={rid}`
    case twinGet(requestId: String)
    /// `$iothub/twin/PATCH/properties/reported/?$rid={rid}`
    case twinPatchReported(requestId: String)
    /// `$iothub/methods/res/{status}/?$rid={rid}`
    case methodResponse(status: Int, requestId: String)

    /// Parses a topic a device published to; nil for anything else.
    init?(_ topic: String) {
        if topic.hasPrefix("$iothub/") {
            guard let query = topic.split(separator: "?", maxSplits: 1).dropFirst().first,
                  let requestId = Self.parameter("$rid", in: query) else { return nil }
            if topic.hasPrefix("$iothub/twin/GET/?") {
                self = .twinGet(requestId: requestId)
            } else if topic.hasPrefix("$iothub/twin/PATCH/properties/reported/?") {
                self = .twinPatchReported(requestId: requestId)
            } else if topic.hasPrefix("$iothub/methods/res/") {
                let segments = topic.split(separator: "/", omittingEmptySubsequences: false)
                guard segments.count >= 5, let status = Int(segments[3]) else { return nil }
                self = .methodResponse(status: status, requestId: requestId)
            } else {
                return nil
            }
            return
        }
        guard topic.hasPrefix("devices/"), let marker = topic.range(of: "/messages/events/") else { return nil }
        let identity = topic[topic.index(topic.startIndex, offsetBy: 8)..<marker.lowerBound].split(separator: "/", omittingEmptySubsequences: false)
        let bag = topic[marker.upperBound...]
        if identity.count == 1, !identity[0].isEmpty {
            self = .telemetry(deviceId: String(identity[0]), moduleId: nil, propertyBag: bag)
            return
        }
        if identity.count == 3, identity[1] == "modules", !identity[0].isEmpty, !identity[2].isEmpty {
            self = .telemetry(deviceId: String(identity[0]), moduleId: String(identity[2]), propertyBag: bag)
            return
        }
        return nil
    }

    static func parameter(_ name: String, in query: Substring) -> String? {
        for pair in query.split(separator: "&") where pair.hasPrefix("\(name)=") {
            return String(pair.dropFirst(name.count + 1)).removingPercentEncoding
        }
        return nil
    }

    /// `$iothub/twin/res/{status}/?$rid={rid}[&$version={v}]`
    static func twinResponse(status: Int, requestId: String, version: Int? = nil) -> String {
        var topic = "$iothub/twin/res/\(status)/?$rid=\(requestId)"
        if let version { topic += "&$version=\(version)" }
        return topic
    }

    /// `$iothub/twin/PATCH/properties/desired/?$version={v}`
    static func desiredPatch(version: Int) -> String { "$iothub/twin/PATCH/properties/desired/?$version=\(version)" }

    /// `$iothub/methods/POST/{name}/?$rid={rid}`
    static func methodRequest(name: String, requestId: String) -> String { "$iothub/methods/POST/\(name)/?$rid=\(requestId)" }

    /// `devices/{dev}/messages/devicebound/{bag}`
    static func cloudToDevice(deviceId: String, propertyBag: String) -> String { "devices/\(deviceId)/messages/devicebound/\(propertyBag)" }
}

/// The subscriptions a device may hold.
enum HubSubscription: String, Sendable, CaseIterable {
    case cloudToDevice
    case methods
    case desiredPatches
    case twinResponses

    /// Which subscription a filter is, for this device; nil when the device may not subscribe to it.
    init?(filter: String, deviceId: String, moduleId: String?) {
        switch filter {
        case "devices/\(deviceId)/messages/devicebound/#" where moduleId == nil: self = .cloudToDevice
        case "$iothub/methods/POST/#": self = .methods
        case "$iothub/twin/PATCH/properties/desired/#": self = .desiredPatches
        case "$iothub/twin/res/#": self = .twinResponses
        default:
            if let moduleId, filter == "devices/\(deviceId)/modules/\(moduleId)/inputs/#" { self = .cloudToDevice } else { return nil }
        }
    }
}
