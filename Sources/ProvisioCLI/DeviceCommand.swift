import ArgumentParser
import Foundation

/// `provisio device …`: device identities of a running shard, through its service REST API.
struct DeviceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "device", abstract: "Manage device identities on a hub shard (needs provisio serve running).",
        subcommands: [List.self, Show.self, Create.self, Delete.self])

    /// `provisio device list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List devices: id, status, authentication, connection.")
        @OptionGroup var hub: HubServiceOptions
        @Option(help: "At most this many devices (1–1000).") var top = 1000
        @Flag(help: "Print the IoT Hub Device JSON array.") var json = false

        func run() async throws {
            try await CLIError.reporting {
                let devices = try await hub.client().call("GET", "/devices?top=\(top)") as? [[String: Any]] ?? []
                if json {
                    print(HubServiceAPI.pretty(devices))
                    return
                }
                for device in devices {
                    let authentication = (device["authentication"] as? [String: Any])?["type"] as? String ?? "?"
                    print([device["deviceId"], device["status"], authentication, device["connectionState"]]
                        .map { ($0 as? String) ?? "?" }.joined(separator: "\t"))
                }
            }
        }
    }

    /// `provisio device show ID`.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a device identity (keys included) as JSON.")
        @OptionGroup var hub: HubServiceOptions
        @Argument(help: "Device id.") var deviceId: String

        func run() async throws {
            try await CLIError.reporting {
                print(HubServiceAPI.pretty(try await hub.client().call("GET", "/devices/\(HubServiceAPI.segment(deviceId))")))
            }
        }
    }

    /// `provisio device create ID [--primary-key K --secondary-key K | --thumbprint T | --ca] [--disabled]`.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a device and print it; SAS keys are generated unless given.")
        @OptionGroup var hub: HubServiceOptions
        @Argument(help: "Device id.") var deviceId: String
        @Option(name: .customLong("primary-key"), help: "SAS primary key (Base64 of 16–64 bytes).") var primaryKey: String?
        @Option(name: .customLong("secondary-key"), help: "SAS secondary key (Base64 of 16–64 bytes).") var secondaryKey: String?
        @Option(name: .customLong("thumbprint"), help: "Self-signed certificate thumbprint (SHA-1 or SHA-256 hex).") var thumbprint: String?
        @Option(name: .customLong("secondary-thumbprint"), help: "Second self-signed thumbprint (with --thumbprint).")
        var secondaryThumbprint: String?
        @Flag(name: .customLong("ca"), help: "Authenticate with a certificate chaining to a trusted CA.") var certificateAuthority = false
        @Flag(help: "Create the device disabled.") var disabled = false

        func validate() throws {
            let sas = primaryKey != nil || secondaryKey != nil
            let kinds = [sas, thumbprint != nil, certificateAuthority].filter { $0 }.count
            guard kinds <= 1 else { throw ValidationError("choose one of --primary-key/--secondary-key, --thumbprint or --ca") }
            if secondaryThumbprint != nil && thumbprint == nil { throw ValidationError("--secondary-thumbprint needs --thumbprint") }
        }

        func run() async throws {
            try await CLIError.reporting {
                var authentication: [String: Any]
                if let thumbprint {
                    var thumbprints: [String: Any] = ["primaryThumbprint": thumbprint]
                    if let secondaryThumbprint { thumbprints["secondaryThumbprint"] = secondaryThumbprint }
                    authentication = ["type": "selfSigned", "x509Thumbprint": thumbprints]
                } else if certificateAuthority {
                    authentication = ["type": "certificateAuthority"]
                } else {
                    var keys: [String: Any] = [:]
                    if let primaryKey { keys["primaryKey"] = primaryKey }
                    if let secondaryKey { keys["secondaryKey"] = secondaryKey }
                    authentication = ["type": "sas", "symmetricKey": keys]
                }
                let body: [String: Any] = [
                    "deviceId": deviceId, "status": disabled ? "disabled" : "enabled", "authentication": authentication,
                    "capabilities": ["iotEdge": false],
                ]
                print(HubServiceAPI.pretty(try await hub.client().call("PUT", "/devices/\(HubServiceAPI.segment(deviceId))", json: body)))
            }
        }
    }

    /// `provisio device delete ID`.
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a device, its twin and its pending C2D messages.")
        @OptionGroup var hub: HubServiceOptions
        @Argument(help: "Device id.") var deviceId: String
        @Option(help: "Only if the device still has this etag.") var etag: String?

        func run() async throws {
            try await CLIError.reporting {
                try await hub.client().call("DELETE", "/devices/\(HubServiceAPI.segment(deviceId))",
                                            headers: ["If-Match": "\"\(etag ?? "*")\""])
                print("deleted \(deviceId)")
            }
        }
    }
}
