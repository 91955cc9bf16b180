import ArgumentParser
import Foundation

/// `provisio c2d send ID --body TEXT [--property k=v]... [--ack full]`.
struct CloudToDeviceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "c2d", abstract: "Queue cloud-to-device messages (needs provisio serve running).",
        subcommands: [Send.self])

    /// `provisio c2d send`.
    struct Send: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Queue a message for a device and print its message id.")
        @OptionGroup var hub: HubServiceOptions
        @Argument(help: "Device id.") var deviceId: String
        @Option(help: "Message body (text).") var body: String
        @Option(name: .customLong("property"), help: "An application property key=value (repeatable).") var properties: [String] = []
        @Option(help: "Feedback to request: none, positive, negative or full.") var ack = "none"
        @Option(name: .customLong("message-id"), help: "Message id (default: generated).") var messageId: String?
        @Option(name: .customLong("ttl"), help: "Seconds the message may wait (default 3600).") var ttlSeconds: Int?

        func validate() throws {
            guard ["none", "positive", "negative", "full"].contains(ack) else { throw ValidationError("--ack must be none, positive, negative or full") }
            for property in properties where !property.contains("=") || property.hasPrefix("=") {
                throw ValidationError("--property takes key=value, got '\(property)'")
            }
        }

        func run() async throws {
            try await CLIError.reporting {
                var propertyBag: [String: String] = [:]
                for property in properties {
                    let parts = property.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                    propertyBag[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
                }
                var request: [String: Any] = ["payload": body, "properties": propertyBag, "ack": ack]
                if let messageId { request["messageId"] = messageId }
                if let ttlSeconds { request["ttlSeconds"] = ttlSeconds }
                let answer = try await hub.client().send("POST", "/devices/\(HubServiceAPI.segment(deviceId))/messages/deviceBound",
                                                         json: request)
                print(answer.headers["x-ms-message-id"] ?? "queued")
            }
        }
    }
}
