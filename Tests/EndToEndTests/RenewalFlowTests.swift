import Foundation
import Testing

/// What `python/renewal_flow.py` reports: one entry per step.
struct RenewalFlowReport: Decodable, Sendable {
    struct InventoryRow: Decodable, Sendable, Equatable {
        var status: String
        var supersededBy: String?
        var revocationReason: Int?
    }

    struct Step: Decodable, Sendable {
        var ok: Bool
        var error: String?
        var p384Status: Int?
        var p384Message: String?
        var p384ErrorCode: Int?
        var noSANStatus: Int?
        var noSANMessage: String?
        var wrongSANStatus: Int?
        var wrongSANMessage: String?
        var firstVerify: String?
        var sanPresent: Bool?
        var expiresWithin31Days: Bool?
        var renewalStatus: Int?
        var renewalEnrollmentGroup: String?
        var secondVerify: String?
        var oldCRLVerify: String?
        var newCRLVerify: String?
        var crlListsOld: Bool?
        var crlReasonSuperseded: Bool?
        var oldDropped: Bool?
        var dropAfterRenewal: Double?
        var newConnects: Bool?
        var oldConnects: Bool?
        var oldReconnectRefused: Bool?
        var oldInventory: InventoryRow?
        var newInventory: InventoryRow?
        var secondSerial: String?
        var mqttX509Status: String?
        var mqttHub: Bool?
        var groupDropped: Bool?
        var groupDropSeconds: Double?
        var individualDropped: Bool?
        var individualDropSeconds: Double?
        var groupReconnectRefused: Bool?
        var individualReconnectRefused: Bool?
        var dpsRegistrationRefused: Bool?
        var renewalWhileDisabledStatus: Int?
        var reenabledConnects: Bool?
    }

    var steps: [String: Step]
}

/// Issuance policy, renewal with the operational certificate and enrollment disabling, end to end with the real
/// server, the Azure SDKs, raw HTTPS registrations carrying CSRs, openssl and the server's own SQLite inventory.
@Suite("Certificate renewal, issuance policy and disabled enrollments", .timeLimit(.minutes(5)))
struct RenewalFlowTests {
    static let policy = """
        apiVersion: provisio/v1
        kind: IssuancePolicy
        defaultPolicy: standard
        policies:
          - name: standard
          - name: strict
            validity: 30d
            keyAlgorithms: [ecdsa-p256]
            subjectAlternativeNames: {requirement: required, dnsNames: ["{deviceId}.devices.example.com"]}
            onRenewal: revoke
        enrollmentGroups: {renew-strict: strict}
        """

    @Test("policy refusals are 400; renewal supersedes (revoked or kept); disabling drops and refuses devices at the shards")
    func renewalScenario() async throws {
        let work = try TemporaryDirectory(prefix: "renewal-flow")
        let policyFile = work.file("issuance.yaml")
        try Self.policy.write(to: policyFile, atomically: true, encoding: .utf8)
        var addresses = ServerAddresses.unique()
        addresses.dpsSettings = ["issuancePolicy: \(policyFile.path)"]
        let server = try await ServerProcess.start(addresses: addresses)
        let scratch = try TemporaryDirectory(prefix: "renewal-files")
        let report = try await PythonRunner.run(
            "renewal_flow.py",
            [server.dataFile("connection.json").path, scratch.url.path, try TestEnvironment.provisioBinary().path,
             server.dataDirectory.path],
            as: RenewalFlowReport.self, timeout: .seconds(240))
        func step(_ name: String) throws -> RenewalFlowReport.Step {
            let step = try #require(report.steps[name], "step \(name) missing")
            #expect(step.ok, "\(name): \(step.error ?? "")")
            return step
        }

        let refusals = try step("policyRefusals")
        #expect(refusals.p384Status == 400 && refusals.p384ErrorCode == 400004)
        #expect(refusals.p384Message?.contains("issuance policy 'strict'") == true, "\(refusals.p384Message ?? "-")")
        #expect(refusals.p384Message?.contains("allowed: ecdsa-p256") == true, "\(refusals.p384Message ?? "-")")
        #expect(refusals.noSANStatus == 400)
        #expect(refusals.noSANMessage?.contains("requires a subject alternative name") == true, "\(refusals.noSANMessage ?? "-")")
        #expect(refusals.wrongSANStatus == 400)
        #expect(refusals.wrongSANMessage?.contains("other.devices.example.com") == true, "\(refusals.wrongSANMessage ?? "-")")

        let revoke = try step("renewalRevoke")
        #expect(revoke.firstVerify?.hasSuffix(": OK") == true, "\(revoke.firstVerify ?? "-")")
        #expect(revoke.sanPresent == true)
        #expect(revoke.expiresWithin31Days == true, "policy validity 30d")
        #expect(revoke.renewalStatus == 200)
        #expect(revoke.renewalEnrollmentGroup == "renew-strict", "renewal stays in the device's own (symmetric-key) group")
        #expect(revoke.secondVerify?.hasSuffix(": OK") == true, "\(revoke.secondVerify ?? "-")")
        #expect(revoke.oldCRLVerify?.contains("certificate revoked") == true, "\(revoke.oldCRLVerify ?? "-")")
        #expect(revoke.crlListsOld == true && revoke.crlReasonSuperseded == true)
        #expect(revoke.oldDropped == true, "the old certificate's connection was not dropped")
        #expect((revoke.dropAfterRenewal ?? 99) < 1.0, "dropped \(revoke.dropAfterRenewal ?? -1) s after the renewal returned")
        #expect(revoke.newConnects == true)
        #expect(revoke.oldReconnectRefused == true)
        #expect(revoke.oldInventory == .init(status: "revoked", supersededBy: revoke.secondSerial, revocationReason: 4))
        #expect(revoke.newInventory?.status == "active" && revoke.newInventory?.supersededBy == nil)

        let keep = try step("renewalKeep")
        #expect(keep.mqttX509Status == "assigned", "the operational certificate attests over MQTT with the Azure SDK")
        #expect(keep.mqttHub == true)
        #expect(keep.renewalStatus == 200)
        #expect(keep.oldCRLVerify?.hasSuffix(": OK") == true, "kept: \(keep.oldCRLVerify ?? "-")")
        #expect(keep.newCRLVerify?.hasSuffix(": OK") == true, "\(keep.newCRLVerify ?? "-")")
        #expect(keep.crlListsOld == false)
        #expect(keep.oldConnects == true && keep.newConnects == true)
        #expect(keep.oldInventory == .init(status: "superseded", supersededBy: keep.secondSerial, revocationReason: nil))

        let disabling = try step("disabling")
        #expect(disabling.groupDropped == true && disabling.individualDropped == true)
        #expect((disabling.groupDropSeconds ?? 99) < 2.0, "group device dropped after \(disabling.groupDropSeconds ?? -1) s")
        #expect((disabling.individualDropSeconds ?? 99) < 2.0, "individual device dropped after \(disabling.individualDropSeconds ?? -1) s")
        #expect(disabling.groupReconnectRefused == true && disabling.individualReconnectRefused == true)
        #expect(disabling.dpsRegistrationRefused == true)
        #expect(disabling.renewalWhileDisabledStatus == 401)
        #expect(disabling.reenabledConnects == true)

        #expect(try await server.stop() == .exited(0))
    }
}
