import Foundation
import Synchronization

/// The loopback addresses one test server listens on: DPS on `127.X.Y.1`, shard *n* on `127.X.Y.(n+1)`.
///
/// Every server gets its own `127.X.Y.0/24` block (all of `127.0.0.0/8` routes to `lo` on Linux), so
/// servers of tests running in parallel, and of test processes running side by side, can all use the
/// real ports 8883 and 8443 without colliding, and never touch the default `127.0.0.1`–`.4`.
struct ServerAddresses: Sendable, Equatable {
    /// One shard's name and address.
    struct Shard: Sendable, Equatable {
        /// `hub-n`.
        var name: String
        /// Its IP address.
        var host: String
    }

    /// The DPS address.
    var dps: String
    /// The shards, in configuration order.
    var shards: [Shard]
    /// The MQTT port of every endpoint.
    var mqttPort: Int = 8883
    /// The AMQP port of every endpoint.
    var amqpPort: Int = 5671
    /// The HTTPS port of every endpoint.
    var httpsPort: Int = 8443
    /// Extra `dps` settings as YAML flow entries, e.g. `tpmAttestationPolicy: /tmp/x/tpm.yaml`.
    var dpsSettings: [String] = []
    /// Extra settings of one shard as YAML flow entries, by shard name, e.g. `["hub-2": ["fileNotifications: false"]]`.
    var shardSettings: [String: [String]] = [:]
    /// Top-level YAML appended to the configuration, e.g. a `limits:` block.
    var extraYAML: String = ""

    /// Blocks handed out by this process.
    private static let blocksAllocated = Atomic<Int>(0)

    /// A block no other server of this test run uses, and very likely none of another run.
    ///
    /// `X.Y` spells `(pid mod 240) * 256 + counter mod 256`, so one process gets 256 distinct blocks
    /// before wrapping (the suite starts well over 64 servers, and a wrapped block may still be in use), and
    /// processes whose pids differ modulo 240 never share one. `X` stays in 10…249, well away from the default
    /// `127.0.0.x`.
    static func unique(shardCount: Int = 3) -> ServerAddresses {
        let counter = blocksAllocated.wrappingAdd(1, ordering: .relaxed).oldValue
        let index = Int(ProcessInfo.processInfo.processIdentifier % 240) * 256 + counter % 256
        let prefix = "127.\(10 + index / 256).\(index % 256)"
        return ServerAddresses(
            dps: "\(prefix).1",
            shards: (1...shardCount).map { Shard(name: "hub-\($0)", host: "\(prefix).\($0 + 1)") })
    }

    /// Every endpoint as (name, address): `dps` first, then the shards.
    var endpoints: [(name: String, host: String)] {
        [("dps", dps)] + shards.map { ($0.name, $0.host) }
    }

    /// A `provisio serve` configuration for these addresses.
    func configurationYAML(logLevel: String = "info") -> String {
        var lines = [
            "apiVersion: provisio/v1",
            "kind: ServerConfiguration",
            "logLevel: \(logLevel)",
            "dps: {hostName: \(dps), mqttPort: \(mqttPort), amqpPort: \(amqpPort), httpsPort: \(httpsPort)\(dpsSettings.map { ", \($0)" }.joined())}",
            "shards:",
        ]
        for shard in shards {
            lines.append("  - {name: \(shard.name), hostName: \(shard.host), mqttPort: \(mqttPort), amqpPort: \(amqpPort), httpsPort: \(httpsPort), weight: 1, region: local\((shardSettings[shard.name] ?? []).map { ", \($0)" }.joined())}")
        }
        // The suite runs dozens of servers at once on two cores; generous handshake and CONNECT deadlines keep a
        // starved scheduler from closing a test's connection before it sends (tests of the deadlines set their own).
        let limits = extraYAML.contains("limits:") ? "" : Self.unhurriedLimits
        return lines.joined(separator: "\n") + "\n" + extraYAML + limits
    }

    /// The deadlines every test server gets unless its test sets a `limits:` block.
    static let unhurriedLimits = "limits: {tlsHandshakeTimeoutSeconds: 60, requestHeadTimeoutSeconds: 60, mqttConnectTimeoutSeconds: 60}\n"
}
