import Foundation
import Testing

/// Devices and modules over AMQP on a shard's 5671 listener, driven by two independent AMQP stacks: uamqp 1.6.11 (the C
/// SDK's azure-uamqp-c, SASL MSSBCBS, the C SDK's raw-`sr` SAS) and python-qpid-proton 0.40 (Proton-C, SASL ANONYMOUS
/// or none with an X.509 certificate, hand-written `$cbs` put-tokens). What the devices send is read back with
/// azure-eventhub and the service SDK; C2D is sent and its feedback read with azure-iot-hub and uamqp.
@Suite("Device AMQP", .timeLimit(.minutes(10)))
struct DeviceAMQPTests {
    @Test("uamqp: telemetry with properties and the batched format 0x80013700, C2D complete/reject/abandon with feedback, a method round trip, twin, module telemetry")
    func uamqp() async throws {
        let server = try await Self.startServer()
        let report = try await PythonRunner.run(
            "device_amqp_uamqp.py", [server.dataFile("connection.json").path], as: AMQPStepReport.self, timeout: .seconds(420))

        if let telemetry = Self.passed(report, "telemetry") {
            #expect(telemetry["deviceId"] == .string("uamqp-telemetry"), "iothub-connection-device-id")
            #expect(telemetry["properties"] == .object(["alert": .string("true"), "b key": .string("v/1&2")]))
            #expect(telemetry["system"] == .object(["message-id": .string("u-mid-1"), "correlation-id": .string("u-cid-1"),
                                                    "content-type": .string("application/json"), "content-encoding": .string("utf-8")]))
            #expect(telemetry["batched"] == .array([.string("{\"batched\":1}"), .string("{\"batched\":2}")]),
                    "both inner messages of one 0x80013700 transfer are events of their own")
            Self.expectAuthMethod(telemetry, containing: "sas")
        }
        if let cloudToDevice = Self.passed(report, "cloudToDevice") {
            #expect(cloudToDevice["tagLengths"] == .array([.number(16)]), "16-byte delivery tags")
            #expect(cloudToDevice["feedback"] == .object(["complete": .string("Success"), "reject": .string("Rejected"),
                                                          "abandon": .string("Success")]))
            Self.expectIncreasing(cloudToDevice["deliveryCounts"], count: 3, "released then modified: each redelivery counts")
        }
        if let methods = Self.passed(report, "methods") {
            #expect(methods["methodName"] == .string("reboot"))
            #expect(methods["result"] == .object(["status": .number(201), "payload": .object(["rebooted": .bool(true)])]))
        }
        if let twin = Self.passed(report, "twin") {
            #expect(twin["reported"] == .object(["battery": .number(88)]), "the reported patch as the service reads it")
            #expect(Self.member(twin["notification"], "interval") == .number(60), "the desired-property notification")
        }
        if let module = Self.passed(report, "moduleTelemetry") {
            #expect(module["deviceId"] == .string("uamqp-module-host"))
            #expect(module["moduleId"] == .string("sensor"))
        }
        #expect(try await server.stop() == .exited(0), "stderr: \(server.stderrText)")
    }

    @Test("proton: telemetry, C2D to the maximum delivery count, twin, a method, two devices on one connection, X.509 (self-signed and CA-signed), token lapse and renewal, disable, refused tokens, another device's addresses, a module")
    func proton() async throws {
        let server = try await Self.startServer()
        let work = try TemporaryDirectory(prefix: "device-amqp")
        let report = try await PythonRunner.run(
            "device_amqp_proton.py", [server.dataFile("connection.json").path, work.url.path], as: AMQPStepReport.self,
            timeout: .seconds(540))
        let refused = JSONText.string("amqp:unauthorized-access")

        if let telemetry = Self.passed(report, "telemetry") {
            #expect(telemetry["deviceId"] == .string("proton-telemetry"))
            #expect(telemetry["oversized"] == .string("amqp:link:message-size-exceeded"), "a 300 KB message is rejected, the link kept")
            #expect(telemetry["properties"] == .object(["alert": .string("no"), "b key": .string("v/1&2")]))
            #expect(telemetry["system"] == .object(["message-id": .string("p-mid-0"), "correlation-id": .string("p-cid-0"),
                                                    "content-type": .string("application/json"), "content-encoding": .string("utf-8")]))
            Self.expectAuthMethod(telemetry, containing: "sas")
        }
        if let cloudToDevice = Self.passed(report, "cloudToDevice") {
            #expect(cloudToDevice["tagLengths"] == .array([.number(16)]))
            #expect(cloudToDevice["feedback"] == .object(["complete": .string("Success"), "reject": .string("Rejected"),
                                                          "abandon": .string("Success"), "exhaust": .string("DeliveryCountExceeded")]))
            Self.expectIncreasing(cloudToDevice["deliveryCounts"], count: 3, "released then modified: each redelivery counts")
            #expect(cloudToDevice["exhaustDeliveries"] == .number(10), "delivered up to the maximum delivery count (10), then dead")
        }
        if let twin = Self.passed(report, "twin") {
            #expect(twin["reported"] == .object(["fw": .string("1.0"), "n": .number(1)]), "the reported patch as the service reads it")
            #expect(Self.member(twin["notification"], "rate") == .number(7), "the desired-property notification")
            #expect(twin["notificationVersion"] != nil && twin["notificationVersion"] == Self.member(twin["notification"], "$version"))
            #expect(twin["replyTypes"] == .array([.string("status:int32"), .string("version:long")]),
                    "the C SDK drops twin replies whose status is not an AMQP int or whose version is not a long")
            #expect(twin["notificationVersionType"] == .string("long"))
        }
        if let methods = Self.passed(report, "methods") {
            #expect(methods["result"] == .object(["status": .number(200), "payload": .object(["celsius": .number(21.5)])]))
            #expect(methods["withoutLinkStatus"] == .number(404), "a connected device without a methods link is not reachable")
            #expect(methods["unansweredStatus"] == .number(504), "a request the device never answers times out")
        }
        if let gateway = Self.passed(report, "twoDevices") {
            #expect(gateway["deviceIds"] == .array([.string("proton-gw-a"), .string("proton-gw-b")]))
        }
        if let x509 = Self.passed(report, "x509") {
            #expect(x509["deviceId"] == .string("proton-x509"))
            #expect(x509["otherDevice"] == refused)
            Self.expectAuthMethod(x509, containing: "x509")
            #expect(x509["externalAuthMethod"] == x509["authMethod"], "SASL EXTERNAL admits the certificate as the bare header does")
        }
        if let caSigned = Self.passed(report, "x509CASigned") {
            #expect(caSigned["deviceId"] == .string("proton-ca-device"), "a DPS-issued (CA-signed) certificate admits its device")
            #expect(caSigned["otherDevice"] == refused)
            Self.expectAuthMethod(caSigned, containing: "x509")
        }
        if let lapse = Self.passed(report, "tokenLapse") {
            #expect(lapse["conditions"] == .object(["receiver": refused, "sender": refused]), "links of a lapsed token are detached")
        }
        if let renewal = Self.passed(report, "tokenRenewal") {
            #expect(renewal["telemetry"] == .string("renewed-1") && renewal["cloudToDevice"] == .string("renewed-c2d"),
                    "a token renewed on $cbs keeps the links open past the first token's expiry")
        }
        if let disabled = Self.passed(report, "disabled") {
            #expect(disabled["conditions"] == .object(["receiver": refused, "sender": refused]),
                    "disabling a device detaches its links; the other device on the connection keeps its own")
            #expect(disabled["reattach"] == refused)
        }
        if let tokens = Self.passed(report, "refusedTokens") {
            #expect(tokens["statuses"] == .object(["wrongKey": .number(401), "expired": .number(401), "otherAudience": .number(401)]))
            #expect(tokens["attach"] == refused)
        }
        if let other = Self.passed(report, "otherDevice") {
            #expect(other["conditions"] == .object(["telemetry": refused, "cloudToDevice": refused, "twin": refused, "methods": refused]))
        }
        if let module = Self.passed(report, "module") {
            #expect(module["moduleId"] == .string("thermostat"))
            #expect(module["reported"] == .object(["mode": .string("heat")]))
            #expect(module["deviceAddress"] == refused, "a module's token does not open its device's addresses")
        }
        #expect(try await server.stop() == .exited(0), "stderr: \(server.stderrText)")
    }

    /// What `python/device_amqp_durability.py verify` reports.
    struct DurabilityReport: Decodable, Sendable {
        var acknowledged: Int
        var stored: Int
        var lost: [String]
    }

    @Test("kill -9 while a device streams telemetry over AMQP (32 transfers in flight): every accepted message is in the built-in endpoint after the restart")
    func killDuringTelemetry() async throws {
        let dataDirectory = try TemporaryDirectory(prefix: "amqp-telemetry-crash")
        let work = try TemporaryDirectory(prefix: "amqp-telemetry-work")
        let acked = work.url.appendingPathComponent("acked.txt")
        _ = FileManager.default.createFile(atPath: acked.path, contents: nil)
        var addresses = ServerAddresses.unique()
        addresses.httpsPort = 443
        let server = try await ServerProcess.start(addresses: addresses, dataDirectory: dataDirectory)
        let script = TestEnvironment.pythonScripts.appendingPathComponent("device_amqp_durability.py").path
        let sender = try ChildProcess(try TestEnvironment.python(), [script, server.dataFile("connection.json").path, "send", acked.path],
                                      environment: ["PYTHONDONTWRITEBYTECODE": "1"])
        let flowing = try await poll(timeout: .seconds(120)) {
            let lines = (try? String(contentsOf: acked, encoding: .utf8))?.split(separator: "\n").count ?? 0
            return lines >= 200 ? lines : nil
        }
        #expect(flowing != nil, "telemetry did not start flowing")
        #expect(try await server.stop(signal: SIGKILL) == .signalled(SIGKILL))
        let senderOutput = try await sender.waitForExit(timeout: .seconds(60))
        #expect(senderOutput.status == .exited(0), "sender: \(senderOutput.stderr)")

        let restarted = try await ServerProcess.start(addresses: addresses, dataDirectory: dataDirectory)
        let report = try await PythonRunner.run(
            "device_amqp_durability.py", [restarted.dataFile("connection.json").path, "verify", acked.path],
            as: DurabilityReport.self, timeout: .seconds(120))
        #expect(report.acknowledged >= 200)
        #expect(report.lost.isEmpty, "accepted but lost: \(report.lost)")
        #expect(report.stored >= report.acknowledged)
        #expect(try await restarted.stop() == .exited(0), "stderr: \(restarted.stderrText)")
    }

    /// A server whose HTTPS is on 443: azure-iot-hub dials AMQP at the connection string's HostName, which then carries
    /// no port.
    static func startServer() async throws -> ServerProcess {
        var addresses = ServerAddresses.unique()
        addresses.httpsPort = 443
        return try await ServerProcess.start(addresses: addresses)
    }

    /// The step's observations when it succeeded; nil (with the script's error recorded as an issue) when it failed, so
    /// a failed step is reported once rather than as a cascade of missing values.
    static func passed(_ report: AMQPStepReport, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) -> [String: JSONText]? {
        let observed = report.step(name, sourceLocation: sourceLocation)
        return observed["ok"] == .bool(true) ? observed : nil
    }

    /// `key` of a JSON object, nil when `value` is not an object.
    static func member(_ value: JSONText?, _ key: String) -> JSONText? {
        guard case .object(let object)? = value else { return nil }
        return object[key]
    }

    /// `iothub-connection-auth-method` as stamped on the device's telemetry names the credential it used.
    static func expectAuthMethod(_ step: [String: JSONText], containing method: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard case .string(let stamped)? = step["authMethod"] else {
            Issue.record("no iothub-connection-auth-method", sourceLocation: sourceLocation)
            return
        }
        #expect(stamped.contains(method), "auth method \(stamped)", sourceLocation: sourceLocation)
    }

    /// `value` is an array of `count` strictly increasing numbers.
    static func expectIncreasing(_ value: JSONText?, count: Int, _ comment: Comment, sourceLocation: SourceLocation = #_sourceLocation) {
        guard case .array(let items)? = value else {
            Issue.record("no delivery counts reported: \(comment)", sourceLocation: sourceLocation)
            return
        }
        let numbers = items.compactMap { item -> Double? in
            if case .number(let number) = item { return number }
            return nil
        }
        #expect(numbers.count == count && zip(numbers, numbers.dropFirst()).allSatisfy { $0 < $1 },
                "\(numbers): \(comment)", sourceLocation: sourceLocation)
    }
}
