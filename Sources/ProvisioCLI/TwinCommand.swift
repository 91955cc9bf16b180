import ArgumentParser
import Foundation

/// `provisio twin …`: device twins of a running shard.
struct TwinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "twin", abstract: "Read and update device twins on a hub shard (needs provisio serve running).",
        subcommands: [Show.self, Update.self])

    /// `provisio twin show ID`.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a device twin as JSON.")
        @OptionGroup var hub: HubServiceOptions
        @Argument(help: "Device id.") var deviceId: String

        func run() async throws {
            try await CLIError.reporting {
                print(HubServiceAPI.pretty(try await hub.client().call("GET", "/twins/\(HubServiceAPI.segment(deviceId))")))
            }
        }
    }

    /// `provisio twin update ID --json '{"tags":…,"properties":{"desired":…}}'`.
    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Merge tags and desired properties into a twin (null removes a member) and print the result.")
        @OptionGroup var hub: HubServiceOptions
        @Argument(help: "Device id.") var deviceId: String
        @Option(name: .customLong("json"), help: #"The patch, e.g. '{"tags":{"site":"a"},"properties":{"desired":{"rate":5}}}'."#)
        var patch: String
        @Option(help: "Only if the twin still has this etag.") var etag: String?

        func run() async throws {
            try await CLIError.reporting {
                guard let object = try? JSONSerialization.jsonObject(with: Data(patch.utf8)), object is [String: Any] else {
                    throw CLIError("--json must be a JSON object")
                }
                print(HubServiceAPI.pretty(try await hub.client().call(
                    "PATCH", "/twins/\(HubServiceAPI.segment(deviceId))", json: object, headers: ["If-Match": "\"\(etag ?? "*")\""])))
            }
        }
    }
}
