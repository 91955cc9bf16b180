import ArgumentParser
import Foundation

/// `provisio method invoke ID NAME [--payload JSON] [--timeout S]`.
struct MethodCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "method", abstract: "Call direct methods on connected devices (needs provisio serve running).",
        subcommands: [Invoke.self])

    /// `provisio method invoke`.
    struct Invoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Invoke a method and print the device's {status, payload}.")
        @OptionGroup var hub: HubServiceOptions
        @Argument(help: "Device id.") var deviceId: String
        @Argument(help: "Method name.") var methodName: String
        @Option(help: "JSON payload (default null).") var payload: String?
        @Option(help: "Seconds to wait for the device's answer (5–300).") var timeout = 30

        func validate() throws {
            guard (5...300).contains(timeout) else { throw ValidationError("--timeout must be 5–300 seconds") }
        }

        func run() async throws {
            try await CLIError.reporting {
                var body: [String: Any] = ["methodName": methodName, "responseTimeoutInSeconds": timeout, "connectTimeoutInSeconds": 0]
                if let payload {
                    guard let value = try? JSONSerialization.jsonObject(with: Data(payload.utf8), options: [.fragmentsAllowed]) else {
                        throw CLIError("--payload must be JSON")
                    }
                    body["payload"] = value
                } else {
                    body["payload"] = NSNull()
                }
                let answer = try await hub.client().call("POST", "/twins/\(HubServiceAPI.segment(deviceId))/methods", json: body,
                                                         timeout: .seconds(timeout + 15))
                print(HubServiceAPI.pretty(answer))
            }
        }
    }
}
