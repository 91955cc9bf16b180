import Foundation

/// The test's reading of `DIR/connection.json`, decoded independently of the product's own type.
struct ServerConnection: Decodable, Sendable, Equatable {
    /// The `dps` object.
    struct DPS: Decodable, Sendable, Equatable {
        /// Host devices dial.
        var host: String
        /// MQTT port actually bound.
        var mqttPort: Int
        /// AMQP port.
        var amqpPort: Int
        /// HTTPS port actually bound.
        var httpsPort: Int
        /// Provisioning service connection string.
        var serviceConnectionString: String
    }

    /// One entry of `hubs`.
    struct Hub: Decodable, Sendable, Equatable {
        /// Shard name.
        var name: String
        /// Host devices dial.
        var hostName: String
        /// MQTT port actually bound.
        var mqttPort: Int
        /// AMQP port.
        var amqpPort: Int
        /// HTTPS port actually bound.
        var httpsPort: Int
        /// IoT hub service connection string.
        var serviceConnectionString: String
        /// `azure-eventhub` connection string of the built-in events endpoint.
        var eventHubsConnectionString: String
    }

    /// The DPS ID scope.
    var idScope: String
    /// The DPS endpoint.
    var dps: DPS
    /// The hub shards.
    var hubs: [Hub]
    /// Absolute path of the trust bundle.
    var trustBundle: String

    /// Reads and decodes a `connection.json` file.
    static func load(from file: URL) throws -> ServerConnection {
        let data: Data
        do {
            data = try Data(contentsOf: file)
        } catch {
            throw TestEnvironmentError("cannot read \(file.path): \(error)")
        }
        do {
            return try JSONDecoder().decode(ServerConnection.self, from: data)
        } catch {
            throw TestEnvironmentError("\(file.path) is not a valid connection document: \(error)\n\(String(decoding: data, as: UTF8.self))")
        }
    }

    /// Every endpoint as (name, host, MQTT port, HTTPS port): `dps` first, then the hubs.
    var endpoints: [(name: String, host: String, mqttPort: Int, httpsPort: Int)] {
        [("dps", dps.host, dps.mqttPort, dps.httpsPort)] + hubs.map { ($0.name, $0.hostName, $0.mqttPort, $0.httpsPort) }
    }
}
