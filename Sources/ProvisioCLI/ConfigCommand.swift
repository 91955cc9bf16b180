import ArgumentParser
import Foundation
import ProvisioServer

/// `provisio config check FILE`.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Work with server configuration files.", subcommands: [Check.self])

    /// Validates a configuration file and summarises it.
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Validate a YAML server configuration.")
        @Argument(help: "The configuration file.") var file: String

        func run() async throws {
            let configuration: ServerConfiguration
            do {
                configuration = try ServerConfiguration.load(file: URL(fileURLWithPath: file))
            } catch {
                throw CLIError("\(error)")
            }
            print("\(file): valid")
            print("  dps: \(configuration.dps.endpoint.hostName) mqtt \(configuration.dps.endpoint.effectiveListenAddress):\(configuration.dps.endpoint.mqttPort) amqp :\(configuration.dps.endpoint.amqpPort) https :\(configuration.dps.endpoint.httpsPort)")
            for shard in configuration.shards {
                print("  \(shard.name): \(shard.endpoint.hostName) mqtt \(shard.endpoint.effectiveListenAddress):\(shard.endpoint.mqttPort) amqp :\(shard.endpoint.amqpPort) https :\(shard.endpoint.httpsPort) weight \(shard.weight) region \(shard.region)")
            }
        }
    }
}
