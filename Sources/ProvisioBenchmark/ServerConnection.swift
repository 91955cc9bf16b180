import Foundation

/// The parts of a running server's `connection.json` the benchmarks use.
struct ServerConnection: Decodable, Sendable {
    /// The DPS endpoint.
    struct DPS: Decodable, Sendable {
        var host: String
        var mqttPort: Int
        var httpsPort: Int
        var serviceConnectionString: String
    }

    /// One hub shard.
    struct Hub: Decodable, Sendable {
        var name: String
        var hostName: String
        var mqttPort: Int
        var httpsPort: Int
        var amqpPort: Int?
        var serviceConnectionString: String
        var eventHubsConnectionString: String?
    }

    var idScope: String
    var dps: DPS
    var hubs: [Hub]
    var trustBundle: String

    /// Reads and decodes `connection.json`.
    static func load(path: String) throws -> ServerConnection {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw BenchmarkError("cannot read \(path): \(error.localizedDescription) (is the server running and ready?)")
        }
        do {
            return try JSONDecoder().decode(ServerConnection.self, from: data)
        } catch {
            throw BenchmarkError("\(path) is not a Provisio connection.json: \(error)")
        }
    }

    /// The shard whose host name is `hostName` (what `assignedHub` says).
    func hub(hostName: String) throws -> Hub {
        guard let hub = hubs.first(where: { $0.hostName.caseInsensitiveCompare(hostName) == .orderedSame }) else {
            throw BenchmarkError("assignedHub \(hostName) is not a shard in connection.json")
        }
        return hub
    }
}
