import Foundation
import Testing

/// What `python/hostile_session_flow.py` reports: one entry per attack.
struct HostileSessionReport: Decodable, Sendable {
    struct Step: Decodable, Sendable {
        var ok: Bool
        var error: String?
        var connack: Int?
        var closed: Bool?
        var closedAfterExpiry: Bool?
        var registerStatus: Int?
        var registerErrorCode: Int?
        var registerMessage: String?
        var issued: Bool?
        var otherCaseConnack: Int?
        var reconnectConnack: Int?
        var status: String?
        var beforeStatus: Int?
        var afterStatus: Int?
        var afterErrorCode: Int?
        var moved: Bool?
        var firstDeviceId: String?
        var secondDeviceId: String?
    }

    var steps: [String: Step]
}

/// Issue 12, "authorization is continuous": open DPS and hub MQTT sessions whose credential lapses behind their back
/// (SAS expiry, enrollment or group disabled or deleted, certificate revoked, device disabled, deleted or re-keyed, a
/// different spelling of the device id) are refused or closed by the real server, as is the next request on an HTTPS
/// keep-alive connection whose client certificate was revoked; the server then still serves a normal device.
@Suite("Sessions do not outlive their credentials", .timeLimit(.minutes(5)))
struct HostileSessionTests {
    @Test("every lapsed credential ends its session, and a normal device provisions and sends telemetry afterwards")
    func lapsedCredentialsEndSessions() async throws {
        let server = try await ServerProcess.start()
        let work = try TemporaryDirectory(prefix: "hostile-session")
        let report = try await PythonRunner.run(
            "hostile_session_flow.py",
            [server.dataFile("connection.json").path, work.url.path, try TestEnvironment.provisioBinary().path,
             server.dataDirectory.path],
            as: HostileSessionReport.self, timeout: .seconds(240))
        func step(_ name: String) throws -> HostileSessionReport.Step {
            let step = try #require(report.steps[name], "step \(name) missing")
            #expect(step.ok, "\(name): \(step.error ?? "")")
            return step
        }
        /// A register on a lapsed session: answered 401 with a reason, or the session closed before it was answered;
        /// either way the session ends.
        func expectRefusedAndClosed(_ step: HostileSessionReport.Step, _ name: String) {
            #expect(step.connack == 0, "\(name): the session was not admitted in the first place")
            #expect(step.registerStatus == nil || step.registerStatus == 401, "\(name): register answered \(step.registerStatus ?? -1)")
            if step.registerStatus == 401 {
                #expect(step.registerErrorCode.map { $0 / 1000 == 401 } == true, "\(name): errorCode \(step.registerErrorCode ?? -1)")
                #expect(step.registerMessage?.isEmpty == false, "\(name): the refusal has no message")
            }
            #expect(step.closed == true, "\(name): the session stayed open")
        }
        _ = try step("setup")

        let expiry = try step("dpsTokenExpiry")
        #expect(expiry.connack == 0)
        #expect(expiry.closed == true, "a DPS session outlived its SAS token")
        #expect(expiry.closedAfterExpiry == true, "closed before the token expired")

        expectRefusedAndClosed(try step("dpsGroupDisabled"), "group disabled")
        expectRefusedAndClosed(try step("dpsEnrollmentDeleted"), "enrollment deleted")
        let idle = try step("dpsEnrollmentDisabledIdle")
        #expect(idle.connack == 0)
        #expect(idle.closed == true, "disabling the enrollment left its idle DPS session open")
        for (name, what) in [("dpsEnrollmentDeletedIdle", "deleting"), ("dpsGroupRekeyedIdle", "re-keying")] {
            let step = try step(name)
            #expect(step.connack == 0, "\(name)")
            #expect(step.closed == true, "\(what) the enrollment left its idle DPS session open")
        }

        let revoked = try step("dpsCertificateRevoked")
        expectRefusedAndClosed(revoked, "certificate revoked")
        #expect(revoked.issued == false, "a revoked certificate got a new one from a CSR")
        let revokedIdle = try step("dpsCertificateRevokedIdle")
        #expect(revokedIdle.connack == 0)
        #expect(revokedIdle.closed == true, "revoking the certificate left its idle DPS session open")

        let keepAlive = try step("httpsKeepAliveRevoked")
        #expect(keepAlive.beforeStatus == 202, "the certificate did not register over HTTPS before its revocation")
        #expect(keepAlive.afterStatus == 401, "a revoked certificate's keep-alive connection was answered \(keepAlive.afterStatus ?? -1)")
        #expect(keepAlive.afterErrorCode == 401_002)

        #expect(try step("hubOtherCase").otherCaseConnack == 5, "a device connected under another spelling of its id")

        let disabled = try step("hubDeviceDisabled")
        #expect(disabled.connack == 0)
        #expect(disabled.closed == true, "disabling the device left its session open")
        #expect(disabled.reconnectConnack == 5)
        let deleted = try step("hubDeviceDeleted")
        #expect(deleted.connack == 0)
        #expect(deleted.closed == true, "deleting the device left its session open")
        let rekeyed = try step("hubDeviceRekeyed")
        #expect(rekeyed.connack == 0)
        #expect(rekeyed.closed == true, "regenerating the device's keys left its session open")

        let hubExpiry = try step("hubTokenExpiry")
        #expect(hubExpiry.connack == 0)
        #expect(hubExpiry.closed == true, "a hub session outlived its SAS token")
        #expect(hubExpiry.closedAfterExpiry == true, "closed before the token expired")
        let moved = try step("hubReprovisioned")
        #expect(moved.connack == 0)
        #expect(moved.moved == true, "re-provisioning did not move the device to the other shard")
        #expect(moved.closed == true, "the device's session on the shard it left stayed open")

        let respelled = try step("respelledRegistration")
        #expect(respelled.connack == 0)
        #expect(respelled.firstDeviceId == "hostile-spelling")
        #expect(respelled.secondDeviceId == "HOSTILE-SPELLING")
        #expect(respelled.closed == true, "the session under the old spelling stayed open")
        #expect(respelled.reconnectConnack == 0, "the device id DPS answered does not connect")

        let huge = try step("hubHugeExpiry")
        #expect(huge.connack == 0 || huge.connack == 5, "a token valid for centuries answered \(huge.connack ?? -1)")

        #expect(try step("normalDevice").status == "assigned")
        #expect(try await server.stop() == .exited(0), "the server did not survive the attacks")
    }
}
