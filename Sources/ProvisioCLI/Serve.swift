import ArgumentParser
import Foundation
import Logging
import ProvisioServer

/// `provisio serve`: runs DPS and the hub shards until SIGTERM/SIGINT.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the provisioning service and its hub shards.")

    @OptionGroup var data: DataDirectoryOptions

    @Option(name: .customLong("config"), help: "YAML server configuration (listeners, shards, log level).")
    var configurationFile: String?

    func run() async throws {
        // Everything the server writes (database with service keys, CA and TLS keys) is private to its owner.
        umask(0o077)
        let configuration: ServerConfiguration
        do {
            configuration = try configurationFile.map { try ServerConfiguration.load(file: URL(fileURLWithPath: $0)) } ?? ServerConfiguration()
        } catch {
            throw CLIError("invalid configuration: \(error)")
        }
        let level = Logger.Level(rawValue: configuration.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let server = ProvisioServer(
            configuration: configuration,
            dataDirectory: DataDirectory(path: data.dataDirectory),
            logger: Logger(label: "provisio"))
        do {
            try await server.run { line in
                // Unbuffered, so a supervisor reading a pipe sees the line at once.
                FileHandle.standardOutput.write(Data((line + "\n").utf8))
            }
        } catch {
            throw CLIError("provisio serve: \(error)")
        }
    }
}

/// A failure reported to the user as one line on stderr with exit code 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
