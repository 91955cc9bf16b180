import Provisioning

/// IoT Hub's digital twin view of a device twin (`GET /digitaltwins/{id}`): `$dtId`, `$metadata.$model`, reported
/// properties as values, writable (desired) properties as `$metadata.{p}.desiredValue/desiredVersion`, and components
/// (twin objects marked `"__t": "c"`) as nested objects with their own `$metadata`.
public enum DigitalTwinDocument {
    /// The twin's marker member of a component object.
    static let componentMarker = "__t"

    /// Builds the digital twin of `twin` for device `deviceId`.
    public static func make(deviceId: String, twin: DeviceTwin) -> JSONValue {
        var root = section(reported: twin.reported, desired: twin.desired, desiredVersion: twin.desiredVersion,
                           reportedUpdated: twin.reportedUpdated ?? [:], desiredUpdated: twin.desiredUpdated ?? [:], isRoot: true)
        root["$dtId"] = .string(deviceId)
        if case .object(var metadata)? = root["$metadata"] {
            metadata["$model"] = .string(twin.modelId ?? "")
            root["$metadata"] = .object(metadata)
        }
        return .object(root)
    }

    /// Whether a twin value is a component object.
    static func isComponent(_ value: JSONValue?) -> Bool {
        value?[componentMarker] == .string("c")
    }

    private static func section(reported: [String: JSONValue], desired: [String: JSONValue], desiredVersion: Int,
                                reportedUpdated: [String: String], desiredUpdated: [String: String], isRoot: Bool) -> [String: JSONValue] {
        var document: [String: JSONValue] = [:]
        var metadata: [String: JSONValue] = [:]
        let names = Set(reported.keys).union(desired.keys).filter { !$0.hasPrefix("$") && $0 != componentMarker }
        for name in names.sorted() {
            let reportedValue = reported[name]
            let desiredValue = desired[name]
            if isRoot, isComponent(reportedValue) || isComponent(desiredValue) {
                let component = section(reported: reportedValue?.objectValue ?? [:], desired: desiredValue?.objectValue ?? [:],
                                        desiredVersion: desiredVersion, reportedUpdated: [:], desiredUpdated: [:], isRoot: false)
                document[name] = .object(component)
                continue
            }
            var entry: [String: JSONValue] = [:]
            if let desiredValue {
                entry["desiredValue"] = desiredValue
                entry["desiredVersion"] = .number(Double(desiredVersion))
            }
            if let reportedValue {
                // The PnP writable-property acknowledgement: {"value": v, "ac": code, "av": version, "ad": text}.
                if case .object(let ack) = reportedValue, let value = ack["value"], ack["ac"] != nil {
                    document[name] = value
                    if let code = ack["ac"] { entry["ackCode"] = code }
                    if let version = ack["av"] { entry["ackVersion"] = version }
                    if let text = ack["ad"] { entry["ackDescription"] = text }
                } else {
                    document[name] = reportedValue
                }
            }
            if let stamp = reportedUpdated[name] ?? desiredUpdated[name] { entry["lastUpdateTime"] = .string(stamp) }
            metadata[name] = .object(entry)
        }
        document["$metadata"] = .object(metadata)
        return document
    }
}
