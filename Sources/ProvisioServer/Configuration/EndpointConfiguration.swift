import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One endpoint's addresses: the name clients dial, the address bound, and the MQTT, AMQP and HTTPS ports.
public struct EndpointConfiguration: Codable, Sendable, Equatable {
    /// The Azure SDKs' fixed ports: MQTT 8883, AMQP 5671, and 443 for HTTPS and every WebSocket transport.
    public static let defaultMQTTPort = 8883
    /// AMQP over TLS (every Azure AMQP client dials 5671).
    public static let defaultAMQPPort = 5671
    /// HTTPS and WebSockets.
    public static let defaultHTTPSPort = 443
    /// Where HTTPS goes when binding 443 is refused for lack of privilege.
    public static let unprivilegedHTTPSPort = 8443

    /// What clients dial (and what `assignedHub` says for a shard): an IP literal or a DNS name.
    public var hostName: String
    /// The local address to bind; defaults to `hostName` when that is an IP literal.
    public var listenAddress: String?
    /// MQTT over TLS (the Azure device SDK always dials 8883).
    public var mqttPort: Int = defaultMQTTPort
    /// AMQP over TLS (5671; the Azure AMQP clients expose no port setting).
    public var amqpPort: Int = defaultAMQPPort
    /// HTTPS service and device APIs and the WebSocket transports; 443 falls back to 8443 without the privilege.
    public var httpsPort: Int = defaultHTTPSPort

    /// Creates an endpoint.
    public init(hostName: String, listenAddress: String? = nil, mqttPort: Int = defaultMQTTPort,
                amqpPort: Int = defaultAMQPPort, httpsPort: Int = defaultHTTPSPort) {
        self.hostName = hostName
        self.listenAddress = listenAddress
        self.mqttPort = mqttPort
        self.amqpPort = amqpPort
        self.httpsPort = httpsPort
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case hostName, listenAddress, mqttPort, amqpPort, httpsPort
    }

    /// Decodes the endpoint keys that sit flat among a DPS's or shard's other settings.
    static func decodeFlat<Key: CodingKey>(
        from container: KeyedDecodingContainer<Key>, hostName: Key, listenAddress: Key, mqttPort: Key, amqpPort: Key, httpsPort: Key
    ) throws -> EndpointConfiguration {
        EndpointConfiguration(
            hostName: try container.decode(String.self, forKey: hostName),
            listenAddress: try container.decodeIfPresent(String.self, forKey: listenAddress),
            mqttPort: try container.decodeIfPresent(Int.self, forKey: mqttPort) ?? defaultMQTTPort,
            amqpPort: try container.decodeIfPresent(Int.self, forKey: amqpPort) ?? defaultAMQPPort,
            httpsPort: try container.decodeIfPresent(Int.self, forKey: httpsPort) ?? defaultHTTPSPort)
    }

    /// The port HTTPS binds when `httpsPort` is refused for lack of privilege: 8443 for 443, none otherwise
    /// (an operator who chose another port gets that port or an error).
    public var httpsFallbackPort: Int? {
        httpsPort == Self.defaultHTTPSPort ? Self.unprivilegedHTTPSPort : nil
    }

    /// Decodes strictly.
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        hostName = try container.decode(String.self, forKey: .hostName)
        listenAddress = try container.decodeIfPresent(String.self, forKey: .listenAddress)
        mqttPort = try container.decodeIfPresent(Int.self, forKey: .mqttPort) ?? Self.defaultMQTTPort
        amqpPort = try container.decodeIfPresent(Int.self, forKey: .amqpPort) ?? Self.defaultAMQPPort
        httpsPort = try container.decodeIfPresent(Int.self, forKey: .httpsPort) ?? Self.defaultHTTPSPort
    }

    /// The ports of this endpoint's listeners (0 = any free port), for uniqueness checks.
    var listenerPorts: [Int] {
        [mqttPort, amqpPort, httpsPort] + (httpsFallbackPort.map { [$0] } ?? [])
    }

    /// The address actually bound.
    public var effectiveListenAddress: String {
        listenAddress ?? (IPAddressText.isLiteral(hostName) ? hostName : "0.0.0.0")
    }

    func validate(label: String) throws {
        guard !hostName.isEmpty, !hostName.contains(":") || IPAddressText.isLiteral(hostName) else {
            throw ConfigurationError("\(label).hostName must be a host name or IP address without a port")
        }
        if let listenAddress, !IPAddressText.isLiteral(listenAddress) {
            throw ConfigurationError("\(label).listenAddress must be an IP address, not \(listenAddress)")
        }
        for (key, port) in [("mqttPort", mqttPort), ("amqpPort", amqpPort), ("httpsPort", httpsPort)] where !(0...65535).contains(port) {
            throw ConfigurationError("\(label).\(key) must be between 0 and 65535")
        }
    }
}

/// Recognises IPv4 and IPv6 literals.
enum IPAddressText {
    static func isLiteral(_ text: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
}
