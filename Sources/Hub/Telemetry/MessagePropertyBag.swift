import AccessControl
import Foundation

/// The property bag at the end of an MQTT message topic: `%24.mid=…&%24.ct=…&custom=value`.
public struct MessagePropertyBag: Sendable, Equatable {
    /// Custom properties.
    public var applicationProperties: [String: String]
    /// System properties by their service names (`message-id`, `content-type`, …).
    public var systemProperties: [String: String]

    /// Creates a bag.
    public init(applicationProperties: [String: String] = [:], systemProperties: [String: String] = [:]) {
        self.applicationProperties = applicationProperties
        self.systemProperties = systemProperties
    }

    /// Wire keys of the system properties a device may set, and their service names. Every other system property
    /// (`iothub-connection-device-id`, `-module-id`, `-auth-method`, `-auth-generation-id`, `iothub-enqueuedtime`,
    /// `iothub-message-source`, …) is stamped by the hub alone.
    static let systemKeys: [(wire: String, name: String)] = [
        ("$.on", "output-name"), ("$.mid", "message-id"), ("$.cid", "correlation-id"), ("$.uid", "user-id"),
        ("$.ct", "content-type"), ("$.ce", "content-encoding"), ("$.ifid", "interface-id"), ("$.exp", "expiry-time-utc"),
        ("$.to", "to"), ("$.ctime", "iothub-creation-time-utc"), ("$.sub", "dt-subject"),
    ]

    /// Parses a bag a device sent; keys and values are percent-decoded, a key without `=` has an empty value.
    ///
    /// Only the hub stamps connection and routing facts, so a device cannot forge them: `$.`-keys other than the
    /// settable ones above (`$.cdid`, `$.cmid`, `$.iothub-connection-module-id`, …) are dropped, and so are custom
    /// properties named like a hub-stamped system property (`iothub-…`, see `isReservedApplicationName`).
    public init(parsing bag: Substring) throws(HubError) {
        self.init()
        for pair in bag.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = parts[0].percentDecoded, !key.isEmpty, let value = parts.count > 1 ? parts[1].percentDecoded : ""
            else { throw .badRequest("the message property bag is not valid percent-encoding") }
            if let system = Self.systemKeys.first(where: { $0.wire == key }) {
                systemProperties[system.name] = value
            } else if key.hasPrefix("$.") || Self.isReservedApplicationName(key) {
                continue
            } else {
                applicationProperties[key] = value
            }
        }
    }

    /// Custom property names a device may not use: the `iothub-` namespace belongs to the hub (its connection, enqueue
    /// and acknowledgement properties), except `iothub-creation-time-utc`, which Azure's SDKs send as a custom property.
    public static func isReservedApplicationName(_ name: String) -> Bool {
        let lowered = name.lowercased()
        return lowered.hasPrefix("iothub-") && lowered != "iothub-creation-time-utc"
    }

    /// The bag as the device SDK expects it on C2D topics: system properties first, then custom ones sorted.
    public var encoded: String {
        var pairs: [String] = []
        for (wire, name) in Self.systemKeys {
            if let value = systemProperties[name] { pairs.append("\(Self.escape(wire))=\(Self.escape(value))") }
        }
        for key in applicationProperties.keys.sorted() {
            pairs.append("\(Self.escape(key))=\(Self.escape(applicationProperties[key] ?? ""))")
        }
        return pairs.joined(separator: "&")
    }

    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .propertyBagUnreserved) ?? text
    }
}

extension CharacterSet {
    /// What Python's `quote(x, safe="")` leaves as is.
    static let propertyBagUnreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}
