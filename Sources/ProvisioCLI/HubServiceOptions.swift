import ArgumentParser
import Foundation
import Gateway
import ProvisioServer

/// `--data-dir DIR [--hub NAME]`: which running server's shard a hub command talks to, found in its `connection.json`.
struct HubServiceOptions: ParsableArguments {
    @OptionGroup var data: DataDirectoryOptions

    @Option(name: .customLong("hub"), help: "Shard name or host name from connection.json (default: the first shard).")
    var hub: String?

    /// A client for the chosen shard with its `iothubowner` connection string, trusting the installation's bundle.
    func client() throws -> HubServiceAPI {
        let directory = DataDirectory(path: data.dataDirectory)
        guard let bytes = try? Data(contentsOf: directory.connectionDocument) else {
            throw CLIError("no \(directory.connectionDocument.path): is provisio serve --data-dir \(data.dataDirectory) running?")
        }
        let document: ConnectionDocument
        do {
            document = try JSONDecoder().decode(ConnectionDocument.self, from: bytes)
        } catch {
            throw CLIError("\(directory.connectionDocument.path) is not a valid connection document")
        }
        let shard: ConnectionDocument.Hub
        if let hub {
            guard let named = document.hubs.first(where: { $0.name == hub || $0.hostName.lowercased() == hub.lowercased() }) else {
                throw CLIError("no shard \(hub); this installation has \(document.hubs.map(\.name).joined(separator: ", "))")
            }
            shard = named
        } else {
            guard let first = document.hubs.first else { throw CLIError("this installation has no hub shards") }
            shard = first
        }
        do {
            let connection = try ServiceConnectionString(shard.serviceConnectionString)
            return HubServiceAPI(client: try HubServiceClient(connection: connection, trustBundle: document.trustBundle))
        } catch {
            throw CLIError("shard \(shard.name): \(error)")
        }
    }
}
