import ArgumentParser
import Foundation
import Gateway
import ProvisioServer
import Synchronization

/// `provisio events tail --hub NAME [--consumer-group CG]`: a shard's routed events as they come.
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events", abstract: "Read a hub shard's routed events (needs provisio serve running).",
        subcommands: [Tail.self])

    /// `provisio events tail`.
    struct Tail: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print events of an event log as JSON lines while they arrive (Server-Sent Events).",
            discussion: """
                Each partition starts after the consumer group's checkpoint when it has one, else at the end (only new \
                events) or, with --start earliest, at the oldest retained event. Tailing never moves checkpoints.
                """)
        @OptionGroup var hub: HubServiceOptions
        @Option(name: .customLong("consumer-group"), help: "Consumer group whose checkpoints to start after.") var consumerGroup = "$Default"
        @Option(help: "Event log endpoint (default: the built-in events).") var endpoint = "events"
        @Option(help: "Where to start without a checkpoint: latest or earliest.") var start = "latest"
        @Option(help: "Stop after this many events.") var count: Int?

        func validate() throws {
            guard ["latest", "earliest"].contains(start) else { throw ValidationError("--start must be latest or earliest") }
            if let count, count < 1 { throw ValidationError("--count must be positive") }
        }

        func run() async throws {
            try await CLIError.reporting {
                let (connection, trustBundle) = try resolve()
                let prefix = endpoint == "events" ? "/events" : "/events/\(HubServiceAPI.segment(endpoint))"
                let group = consumerGroup.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? consumerGroup
                let path = "\(prefix)/stream?consumerGroup=\(group)&start=\(start)&api-version=\(HubServiceAPI.apiVersion)"
                let printed = Atomic<Int>(0)
                let limit = count
                do {
                    try await HubEventStreamClient(connection: connection, trustBundle: trustBundle).stream(path) { line in
                        // Unbuffered: a pipe reader sees each event as soon as it arrives.
                        FileHandle.standardOutput.write(Data((line + "\n").utf8))
                        if let limit, printed.add(1, ordering: .relaxed).newValue >= limit { throw TailFinished() }
                    }
                } catch is TailFinished {
                    return
                }
            }
        }

        /// The chosen shard's `iothubowner` connection string and the installation's trust bundle, from `connection.json`.
        private func resolve() throws -> (ServiceConnectionString, String) {
            let directory = DataDirectory(path: hub.data.dataDirectory)
            guard let bytes = try? Data(contentsOf: directory.connectionDocument),
                  let document = try? JSONDecoder().decode(ConnectionDocument.self, from: bytes)
            else {
                throw CLIError("no valid \(directory.connectionDocument.path): is provisio serve --data-dir \(hub.data.dataDirectory) running?")
            }
            let shard = hub.hub.flatMap { name in document.hubs.first { $0.name == name || $0.hostName.lowercased() == name.lowercased() } }
                ?? (hub.hub == nil ? document.hubs.first : nil)
            guard let shard else {
                throw CLIError("no shard \(hub.hub ?? ""); this installation has \(document.hubs.map(\.name).joined(separator: ", "))")
            }
            return (try ServiceConnectionString(shard.serviceConnectionString), document.trustBundle)
        }
    }
}

/// Ends the stream once `--count` events were printed.
private struct TailFinished: Error {}
