import Foundation
import Testing

/// The AMQPS listener's idle timeout (`limits.amqpIdleTimeoutSeconds`) against a raw peer: half of it is advertised in
/// `open`, a silent peer is closed with `amqp:resource-limit-exceeded`, and empty frames keep a quiet peer open.
@Suite("AMQP idle timeout", .timeLimit(.minutes(3)))
struct AMQPIdleTimeoutTests {
    @Test("a silent peer is closed after 3 s with amqp:resource-limit-exceeded; one that sends empty frames stays open")
    func idleTimeout() async throws {
        var addresses = ServerAddresses.unique()
        addresses.httpsPort = 443
        addresses.extraYAML = "limits: {amqpIdleTimeoutSeconds: 3, tlsHandshakeTimeoutSeconds: 60, requestHeadTimeoutSeconds: 60, mqttConnectTimeoutSeconds: 60}\n"
        let server = try await ServerProcess.start(addresses: addresses)
        let report = try await PythonRunner.run("amqp_idle_peer.py", [server.dataFile("connection.json").path],
                                                as: AMQPStepReport.self, timeout: .seconds(120))
        let silent = report.step("silentPeer")
        #expect(silent["advertisedIdleTimeOut"] == .number(1500), "half of the 3 s timeout is advertised")
        #expect(silent["condition"] == .string("amqp:resource-limit-exceeded"))
        if case .number(let waited)? = silent["closedAfter"] {
            #expect(waited >= 2.5 && waited < 8, "closed after \(waited) s")
        } else {
            Issue.record("no closing time: \(silent)")
        }
        #expect(silent["eof"] == .bool(true))
        #expect(report.step("keepAlivePeer")["openAfter"] == .bool(true), "empty frames did not keep the connection open")
        #expect(try await server.stop() == .exited(0))
    }
}
