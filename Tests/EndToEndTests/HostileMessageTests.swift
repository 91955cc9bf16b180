import Foundation
import Testing

/// What `python/hostile_message_flow.py` reports.
struct HostileMessageReport: Decodable, Sendable {
    struct Answer: Decodable, Sendable {
        var status: Int?
        var message: String?
        var errorCode: Int?
        var rc: Int?
    }

    struct Step: Decodable, Sendable {
        var ok: Bool
        var error: String?
        // forgedProperties
        var systemProperties: [String: String]?
        var properties: [String: String]?
        var forgedValues: Int?
        // httpsRegistrations, badEnrollments, oversized
        var answers: [String: Answer]?
        var mqtt: [String: Answer]?
        var reportedStatuses: [String: Int?]?
        // routingSecrets
        var putStatus: Int?
        var serviceStatus: Int?
        var ownerStatus: Int?
        var serviceSecrets: [String]?
        var ownerSecrets: [String]?
        var serviceKeepsHeaderName: Bool?
        // healthy
        var status: String?
        var deviceId: String?
        var found: Int?
    }

    var steps: [String: Step]
    var secrets: [String]
}

/// Forgery and unchecked input against the real server, run at `logLevel: debug`: a device cannot stamp hub-only
/// system properties on its events; registration ids DPS refuses are refused over HTTPS, MQTT and as enrollments;
/// C2D messages, method payloads (both ways) and twin patches over IoT Hub's limits get 413/400; the `service` policy
/// reads routing without webhook secrets; the debug log holds no private key and none of the keys the clients used;
/// and a normal group member still registers and sends telemetry.
@Suite("Hostile messages", .timeLimit(.minutes(5)))
struct HostileMessageTests {
    @Test("forged system properties, bad registration ids, oversized messages, routing secrets and a debug log")
    func hostileMessages() async throws {
        let server = try await ServerProcess.start(logLevel: "debug")
        let report = try await PythonRunner.run(
            "hostile_message_flow.py", [server.dataFile("connection.json").path, server.dataFile("provisio.sqlite").path],
            as: HostileMessageReport.self, timeout: .seconds(240))
        func step(_ name: String) throws -> HostileMessageReport.Step {
            let step = try #require(report.steps[name], "step \(name) missing")
            #expect(step.ok, "\(name): \(step.error ?? "")")
            return step
        }

        let forged = try step("forgedProperties")
        #expect(forged.forgedValues == 0, "forged values reached the routed event: \(String(describing: forged.systemProperties))")
        #expect(forged.systemProperties?["iothub-connection-device-id"] == "hm-forger")
        #expect(forged.systemProperties?["iothub-connection-module-id"] == nil)
        #expect(forged.systemProperties?["iothub-connection-auth-generation-id"] == nil)
        #expect(forged.systemProperties?["iothub-message-source"] == "Telemetry")
        #expect(forged.properties?["normal"] == "kept")

        let https = try step("httpsRegistrations")
        for name in ["tooLong", "star", "trailingDot", "trailingColon"] {
            let answer = https.answers?[name]
            #expect(answer?.status == 400 && answer?.errorCode == 400_004, "HTTPS \(name): \(String(describing: answer))")
            #expect(answer?.message?.contains("registrationId is invalid") == true, "HTTPS \(name): \(String(describing: answer))")
        }
        let mqtt = try step("mqttRegistrations")
        for name in ["tooLong", "star", "space", "markup", "trailingDot"] {
            let answer = mqtt.mqtt?[name]
            // Refused either at CONNECT (a non-zero CONNACK) or by the register request's 400.
            let refused = (answer?.rc ?? 0) != 0 || (answer?.status == 400 && answer?.errorCode == 400_004)
            #expect(refused, "MQTT \(name): \(String(describing: answer))")
        }
        let enrollments = try step("badEnrollments")
        for name in ["star", "trailingDot", "tooLong"] {
            #expect(enrollments.answers?[name]?.status == 400, "enrollment \(name): \(String(describing: enrollments.answers?[name]))")
        }

        let oversized = try step("oversized")
        let expectedStatus = ["c2dBody": 413, "c2dProperties": 413, "c2dReservedProperty": 400, "methodRequest": 413,
                              "methodResponse": 413, "desired": 413, "tags": 413, "longValue": 400]
        for (name, status) in expectedStatus {
            let answer = oversized.answers?[name]
            #expect(answer?.status == status, "\(name): \(String(describing: answer))")
            #expect(answer?.message?.hasPrefix("ErrorCode:") == true, "\(name): \(String(describing: answer))")
        }
        #expect(oversized.reportedStatuses?["tooBig"] == 413, "\(String(describing: oversized.reportedStatuses))")
        #expect(oversized.reportedStatuses?["longValue"] == 400)
        #expect(oversized.reportedStatuses?["small"] == 204, "the device's session survives the refusals")

        let routing = try step("routingSecrets")
        #expect(routing.putStatus == 200)
        #expect(routing.serviceStatus == 200)
        #expect(routing.serviceSecrets == [], "the service policy read webhook secrets")
        #expect(routing.serviceKeepsHeaderName == true)
        #expect(routing.ownerStatus == 200)
        #expect(routing.ownerSecrets == ["URLPASSWORD", "URLQUERYSECRET", "HEADERSECRET"], "the owner still reads what it set")

        let healthy = try step("healthy")
        #expect(healthy.status == "assigned")
        #expect(healthy.deviceId == "hm-good-1")
        #expect(healthy.found == 1)

        let status = try await server.stop()
        #expect(status == .exited(0))
        let log = server.stderrText
        #expect(log.contains(" debug "), "the server logged at debug level")
        #expect(!log.contains("PRIVATE KEY"), "a PEM private key reached the log")
        // The key bytes themselves, as the PEM files in the data directory hold them.
        for folder in ["tls", "keys"] {
            let directory = server.dataFile(folder)
            for name in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [] {
                guard let text = try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8),
                      text.contains("PRIVATE KEY") else { continue }
                for line in text.split(separator: "\n") where !line.hasPrefix("-----") && line.count >= 40 {
                    #expect(!log.contains(line), "bytes of \(folder)/\(name) reached the log")
                }
            }
        }
        #expect(!report.secrets.isEmpty)
        for secret in report.secrets {
            #expect(!log.contains(secret), "a key the clients used reached the log")
        }
    }
}
