import Foundation
import Testing

/// paho-mqtt 1.6.1, a widely used third-party MQTT 3.1.1 client, against DPS and every shard.
@Suite("paho-mqtt interoperability", .timeLimit(.minutes(3)))
struct PahoMQTTTests {
    @Test("paho-mqtt over TLS gets a CONNACK (return code 5: no devices yet) from DPS and from each shard")
    func connAckFromEveryEndpoint() async throws {
        let server = try await ServerProcess.start()
        for endpoint in server.endpoints {
            let report = try await PahoConnAckReport.connect(
                trustBundle: server.connection.trustBundle, host: endpoint.host, port: endpoint.mqttPort,
                clientIdentifier: "paho-probe-\(endpoint.name)")
            #expect(report.pahoVersion == "1.6.1")
            #expect(report.error == nil, "\(endpoint.name): \(report.error ?? "")")
            #expect(report.connackReceived, "\(endpoint.name): on_connect never fired")
            #expect(report.returnCode == 5, "\(endpoint.name): CONNACK return code \(report.returnCode.map(String.init) ?? "none")")
            #expect(report.disconnected, "\(endpoint.name): a refused connection should be closed by the server")
        }
        #expect(try await server.stop() == .exited(0))
    }
}
