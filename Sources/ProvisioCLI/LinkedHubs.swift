import Foundation
import ProvisioServer

/// Which hub host names enrollments may name (`iotHubs`): the server configuration decides, as in `provisio serve`.
enum LinkedHubs {
    /// From `--config` when given, else from the running server's `connection.json` (it exists while `serve` runs),
    /// else the built-in default configuration — the places that can know what `serve` links.
    static func hostNames(directory: DataDirectory, configurationFile: String?) throws -> [String] {
        if let configurationFile {
            do {
                return try ServerConfiguration.load(file: URL(fileURLWithPath: configurationFile)).shards.map(\.endpoint.hostName)
            } catch {
                throw CLIError("invalid configuration: \(error)")
            }
        }
        if let data = try? Data(contentsOf: directory.connectionDocument),
           let document = try? JSONDecoder().decode(ConnectionDocument.self, from: data) {
            return document.hubs.map(\.hostName)
        }
        return ServerConfiguration().shards.map(\.endpoint.hostName)
    }
}
