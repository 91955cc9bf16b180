import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One endpoint's addresses: the name clients dial, the address bound, and the MQTT and HTTPS ports.
public struct EndpointConfiguration: Codable, Sendable, Equatable {
    /// What clients dial (and what `assignedHub` says for a shard): an IP literal or a DNS name.
    public var hostName: String
    /// The local address to bind; defaults to `hostName` when that is an IP literal.
    public var listenAddress: String?
    /// MQTT over TLS (the Azure device SDK always dials 8883).
    public var mqttPort: Int = 8883
    /// HTTPS service and device APIs.
    public var httpsPort: Int = 8443

    /// Creates an endpoint.
    public init(hostName: String, listenAddress: String? = nil, mqttPort: Int = 8883, httpsPort: Int = 8443) {
        self.hostName = hostName
        self.listenAddress = listenAddress
        self.mqttPort = mqttPort
        self.httpsPort = httpsPort
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case hostName, listenAddress, mqttPort, httpsPort
    }

    /// Decodes strictly.
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        hostName = try container.decode(String.self, forKey: .hostName)
        listenAddress = try container.decodeIfPresent(String.self, forKey: .listenAddress)
        mqttPort = try container.decodeIfPresent(Int.self, forKey: .mqttPort) ?? 8883
        httpsPort = try container.decodeIfPresent(Int.self, forKey: .httpsPort) ?? 8443
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
        for (key, port) in [("mqttPort", mqttPort), ("httpsPort", httpsPort)] where !(0...65535).contains(port) {
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
