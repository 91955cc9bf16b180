import Foundation

extension ServerProcess {
    /// One endpoint of the running server, as `connection.json` describes it.
    struct Endpoint: Sendable {
        /// `dps` or a shard name.
        var name: String
        /// The address clients dial.
        var host: String
        /// MQTT-over-TLS port.
        var mqttPort: Int
        /// HTTPS port.
        var httpsPort: Int
    }

    /// Every endpoint: `dps` first, then the shards.
    var endpoints: [Endpoint] {
        connection.endpoints.map { Endpoint(name: $0.name, host: $0.host, mqttPort: $0.mqttPort, httpsPort: $0.httpsPort) }
    }

    /// The endpoint called `name`; throws if `connection.json` has no such endpoint.
    func endpoint(_ name: String) throws -> Endpoint {
        guard let found = endpoints.first(where: { $0.name == name }) else {
            throw TestEnvironmentError("connection.json has no endpoint \(name); it has \(endpoints.map(\.name))")
        }
        return found
    }

    /// Opens a raw MQTT-over-TLS connection to the endpoint called `name`, trusting the server's bundle.
    func mqttClient(_ name: String = "dps") async throws -> MQTTTestClient {
        let endpoint = try endpoint(name)
        return try await MQTTTestClient.connect(host: endpoint.host, port: endpoint.mqttPort, trustBundle: trustBundle)
    }

    /// A file in the data directory.
    func dataFile(_ relativePath: String) -> URL {
        dataDirectory.appendingPathComponent(relativePath)
    }
}
