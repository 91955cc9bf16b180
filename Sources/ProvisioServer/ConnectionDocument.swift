import Foundation

/// `connection.json`: how clients reach this installation. Its keys are a stable contract.
public struct ConnectionDocument: Codable, Sendable, Equatable {
    /// The DPS endpoint.
    public struct DPS: Codable, Sendable, Equatable {
        /// Host clients dial.
        public var host: String
        /// MQTT port.
        public var mqttPort: Int
        /// AMQP port.
        public var amqpPort: Int
        /// HTTPS port.
        public var httpsPort: Int
        /// `azure-iothub-provisioningserviceclient` connection string.
        public var serviceConnectionString: String
    }

    /// One hub shard.
    public struct Hub: Codable, Sendable, Equatable {
        /// Shard name.
        public var name: String
        /// Host devices dial (what `assignedHub` says).
        public var hostName: String
        /// MQTT port.
        public var mqttPort: Int
        /// AMQP port.
        public var amqpPort: Int
        /// HTTPS port.
        public var httpsPort: Int
        /// `azure-iot-hub` connection string.
        public var serviceConnectionString: String
        /// `azure-eventhub` connection string of the shard's built-in events endpoint.
        public var eventHubsConnectionString: String
    }

    /// The DPS ID scope.
    public var idScope: String
    /// DPS endpoint.
    public var dps: DPS
    /// Hub shards.
    public var hubs: [Hub]
    /// Absolute path of the PEM bundle devices pass as `server_verification_cert`.
    public var trustBundle: String

    /// Pretty, stable JSON.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}
