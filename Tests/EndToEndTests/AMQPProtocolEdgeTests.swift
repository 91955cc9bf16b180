import Foundation
import Testing

/// The AMQPS listener against a raw peer: each malformed or hostile conversation ends with the right AMQP error or
/// close, and a fresh connection authenticates afterwards.
@Suite("AMQP protocol edge cases", .timeLimit(.minutes(4)))
struct AMQPProtocolEdgeTests {
    @Test("wrong header, garbage, oversized frame, SASL failure, unknown address, split transfer, credit, token expiry")
    func rawPeer() async throws {
        var addresses = ServerAddresses.unique()
        addresses.httpsPort = 443
        let server = try await ServerProcess.start(addresses: addresses)
        let report = try await PythonRunner.run(
            "amqp_raw_peer.py", [server.dataFile("connection.json").path], as: AMQPStepReport.self, timeout: .seconds(180))
        for name in ["wrongHeader", "garbageAfterHeader", "oversizedFrame", "saslFailure", "unknownAddress", "splitTransfer", "credit", "tokenExpiry"] {
            let step = report.step(name)
            #expect(step["healthyAfter"] == .bool(true), "\(name): a new connection failed afterwards: \(step["healthError"].map { "\($0)" } ?? "")")
        }
        #expect(report.step("wrongHeader")["answer"] == .string("414d515003010000"), "the server answers with the header it speaks")
        #expect(report.step("oversizedFrame")["condition"] == .string("amqp:connection:framing-error"))
        #expect(report.step("unknownAddress")["condition"] == .string("amqp:not-found"))
        #expect(report.step("splitTransfer")["rejectedCondition"] == .string("amqp:not-found"))
        #expect(report.step("credit")["received"] == .number(5))
        #expect(report.step("tokenExpiry")["condition"] == .string("amqp:unauthorized-access"), "a link whose token lapsed is closed")
        #expect(report.step("credit")["tagLengths"] == .array(Array(repeating: .number(16), count: 5)))
        #expect(try await server.stop() == .exited(0), "stderr: \(server.stderrText)")
    }
}
