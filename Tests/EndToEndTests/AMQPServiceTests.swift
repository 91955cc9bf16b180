import Foundation
import Testing

/// IoT Hub's service links over AMQP with the unmodified clients: `azure-iot-hub` 2.7.0 `send_c2d_message` to MQTT
/// devices online and offline and to an unknown device, and delivery feedback read, released and completed with uamqp.
@Suite("AMQP service links", .timeLimit(.minutes(5)))
struct AMQPServiceTests {
    @Test("send_c2d_message reaches online and offline devices with properties; unknown device refused; feedback peek-lock")
    func cloudToDeviceAndFeedback() async throws {
        var addresses = ServerAddresses.unique()
        // azure-iot-hub dials AMQP at the connection string's HostName: it must carry no port, so HTTPS is on 443.
        addresses.httpsPort = 443
        let server = try await ServerProcess.start(addresses: addresses)
        let report = try await PythonRunner.run(
            "amqp_service_flow.py", [server.dataFile("connection.json").path], as: AMQPStepReport.self, timeout: .seconds(240))

        let online = report.step("online")
        if case .object(let message)? = online["message"] {
            #expect(message["contentType"] == .string("application/json"))
            #expect(message["contentEncoding"] == .string("utf-8"))
        }
        _ = report.step("offline")
        let unknown = report.step("unknownDevice")
        #expect(unknown["error"] == .string("C2D message send failure"))
        let feedback = report.step("feedback")
        if case .object(let first)? = feedback["first"] {
            #expect(first["tagLength"] == .number(16), "16-byte delivery tags (lock tokens)")
            #expect(first["enqueuedTime"] == .bool(true), "iothub-enqueuedtime annotation")
            #expect(first["userId"] != nil && first["userId"] != .null, "user-id is required by the C# client")
        } else {
            Issue.record("no feedback message described")
        }
        if case .object(let record)? = feedback["record"] {
            #expect(record["statusCode"] == .string("Success"))
            #expect(record["description"] != nil && record["enqueuedTimeUtc"] != nil && record["deviceGenerationId"] != nil)
        }
        #expect(try await server.stop() == .exited(0), "stderr: \(server.stderrText)")
    }
}
