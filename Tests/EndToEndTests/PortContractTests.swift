import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The runtime contract of DESIGN.md: the ports in `connection.json`, HTTPS on 443 with its 8443 fallback, service
/// connection strings without a port on 443, and each hub's Event Hubs connection string.
@Suite("Ports and connection strings", .timeLimit(.minutes(3)))
struct PortContractTests {
    @Test("HTTPS on 443: connection strings carry no port and work as written; connection.json has AMQP and Event Hubs")
    func defaultPorts() async throws {
        var addresses = ServerAddresses.unique(shardCount: 1)
        addresses.httpsPort = 443
        let server = try await ServerProcess.start(addresses: addresses)
        let connection = server.connection

        #expect(connection.dps.httpsPort == 443)
        #expect(connection.dps.amqpPort == 5671)
        #expect(connection.dps.serviceConnectionString.hasPrefix("HostName=\(addresses.dps);SharedAccessKeyName=provisioningserviceowner;"))
        let hub = try #require(connection.hubs.first)
        #expect(hub.httpsPort == 443)
        #expect(hub.amqpPort == 5671)
        #expect(hub.serviceConnectionString.hasPrefix("HostName=\(hub.hostName);SharedAccessKeyName=iothubowner;SharedAccessKey="))
        let eventHubs = Self.fields(of: hub.eventHubsConnectionString)
        #expect(eventHubs["Endpoint"] == "sb://\(hub.hostName)/")
        #expect(eventHubs["SharedAccessKeyName"] == "service")
        #expect(eventHubs["EntityPath"] == hub.name)
        let key = try #require(eventHubs["SharedAccessKey"].flatMap { Data(base64Encoded: $0) })
        #expect(key.count >= 16)
        #expect(!server.readyLine.contains("httpsFallback"), "ready: \(server.readyLine)")

        // The port-less connection string reaches the service API on 443 (the CLI dials what it says).
        let listed = try await Self.provisio(["device", "list", "--hub", hub.name], dataDirectory: server.dataDirectory)
        #expect(listed.status == .exited(0), "stderr: \(listed.stderr)")
        #expect(try await server.stop() == .exited(0))
    }

    @Test("Without the privilege to bind 443, HTTPS listens on 8443 and the log and the ready line say so")
    func unprivilegedFallback() async throws {
        var addresses = ServerAddresses.unique(shardCount: 1)
        addresses.httpsPort = 443
        let server = try await ServerProcess.start(addresses: addresses, unprivileged: true)
        let connection = server.connection

        #expect(connection.dps.httpsPort == 8443)
        let hub = try #require(connection.hubs.first)
        #expect(hub.httpsPort == 8443)
        #expect(server.readyLine.contains("httpsFallback=8443"), "ready: \(server.readyLine)")
        #expect(server.readyLine.contains("dps") && server.readyLine.contains(hub.name), "ready: \(server.readyLine)")
        #expect(server.stderrText.contains("binding HTTPS port 443 was refused"), "stderr: \(server.stderrText)")
        // Not on 443, so the connection strings name the port, and the service API answers there.
        #expect(hub.serviceConnectionString.hasPrefix("HostName=\(hub.hostName):8443;"))
        #expect(connection.dps.serviceConnectionString.hasPrefix("HostName=\(addresses.dps):8443;"))
        let listed = try await Self.provisio(["device", "list", "--hub", hub.name], dataDirectory: server.dataDirectory)
        #expect(listed.status == .exited(0), "stderr: \(listed.stderr)")
        #expect(try await server.stop() == .exited(0))
    }

    /// `name=value` pairs of a `;`-separated connection string (values split at the first `=`).
    private static func fields(of connectionString: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in connectionString.split(separator: ";") {
            guard let equals = pair.firstIndex(of: "=") else { continue }
            fields[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        }
        return fields
    }

    /// Runs a `provisio` command against the server's data directory.
    private static func provisio(_ arguments: [String], dataDirectory: URL) async throws -> ChildProcess.Output {
        try await ChildProcess.run(try TestEnvironment.provisioBinary(), arguments + ["--data-dir", dataDirectory.path],
                                   timeout: .seconds(60))
    }
}
