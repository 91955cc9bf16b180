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

    @Test("a device's file upload notification is read, released (it comes back) and completed on /messages/serviceBound/filenotifications")
    func fileNotifications() async throws {
        var addresses = ServerAddresses.unique()
        // The device SDK uploads over 443.
        addresses.httpsPort = 443
        let server = try await ServerProcess.start(addresses: addresses)
        let report = try await PythonRunner.run(
            "amqp_file_notification_flow.py", [server.dataFile("connection.json").path], as: AMQPStepReport.self, timeout: .seconds(180))
        _ = report.step("upload")
        let notifications = report.step("notifications")
        #expect(notifications["contentType"] == .string("application/vnd.microsoft.iothub.filenotification.json"))
        #expect(notifications["tagLength"] == .number(16))
        if case .object(let notification)? = notifications["notification"] {
            #expect(notification["deviceId"] == .string("notify-dev"))
            #expect(notification["blobName"] == .string("notify-dev/reports/day1.txt"))
            #expect(notification["blobSizeInBytes"] == .number(12))
        } else {
            Issue.record("no notification reported")
        }
        #expect(try await server.stop() == .exited(0), "stderr: \(server.stderrText)")
    }

    /// What `python/amqp_c2d_durability.py receive` reports.
    struct DurabilityReport: Decodable, Sendable {
        var acknowledged: Int
        var lost: [String]
    }

    @Test("kill -9 while send_c2d_message is sending: every accepted message reaches the device after the restart")
    func killDuringCloudToDevice() async throws {
        let dataDirectory = try TemporaryDirectory(prefix: "amqp-c2d-crash")
        let work = try TemporaryDirectory(prefix: "amqp-c2d-work")
        let acked = work.url.appendingPathComponent("acked.txt")
        FileManager.default.createFile(atPath: acked.path, contents: nil)
        var addresses = ServerAddresses.unique()
        addresses.httpsPort = 443
        let server = try await ServerProcess.start(addresses: addresses, dataDirectory: dataDirectory)
        let script = TestEnvironment.pythonScripts.appendingPathComponent("amqp_c2d_durability.py").path
        let sender = try ChildProcess(try TestEnvironment.python(), [script, server.dataFile("connection.json").path, "send", acked.path],
                                      environment: ["PYTHONDONTWRITEBYTECODE": "1"])
        let flowing = try await poll(timeout: .seconds(120)) {
            let lines = (try? String(contentsOf: acked, encoding: .utf8))?.split(separator: "\n").count ?? 0
            return lines >= 5 ? lines : nil
        }
        #expect(flowing != nil, "C2D sends did not start")
        #expect(try await server.stop(signal: SIGKILL) == .signalled(SIGKILL))
        let senderOutput = try await sender.waitForExit(timeout: .seconds(60))
        #expect(senderOutput.status == .exited(0), "sender: \(senderOutput.stderr)")

        let restarted = try await ServerProcess.start(addresses: addresses, dataDirectory: dataDirectory)
        let report = try await PythonRunner.run(
            "amqp_c2d_durability.py", [restarted.dataFile("connection.json").path, "receive", acked.path],
            as: DurabilityReport.self, timeout: .seconds(120))
        #expect(report.acknowledged >= 5)
        #expect(report.lost.isEmpty, "accepted but lost: \(report.lost)")
        #expect(try await restarted.stop() == .exited(0), "stderr: \(restarted.stderrText)")
    }
}
