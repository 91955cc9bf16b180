import Foundation
import Testing

/// What `python/revocation_flow.py` reports: one entry per step.
struct RevocationFlowReport: Decodable, Sendable {
    struct Step: Decodable, Sendable {
        var ok: Bool
        var error: String?
        var crlDistributionPoint: String?
        var ocspURL: String?
        var opensslVerify: String?
        var x509ReRegistration: String?
        var ocspBefore: String?
        var ocspVerified: Bool?
        var dropped: Bool?
        var dropAfterRevocation: Double?
        var dropAfterCommandStart: Double?
        var commandSeconds: Double?
        var revokedSerial: String?
        var reconnectRefused: Bool?
        var mqttReRegistrationRefused: Bool?
        var httpsReRegistrationStatus: Int?
        var httpsErrorCode: Int?
        var contentType: String?
        var listsRevoked: Bool?
        var listsControl: Bool?
        var reasonShown: Bool?
        var signatureVerified: Bool?
        var revokedVerify: String?
        var controlVerify: String?
        var revoked: String?
        var revokedVerified: Bool?
        var good: String?
        var goodVerified: Bool?
        var getRevoked: Bool?
        var status: Int?
        var revokedSerials: [String]?
        var reason: String?
        var ocsp: String?
        var unknownStatus: Int?
        var unauthenticatedStatus: Int?
        var listedRevoked: [String]?
        var controlConnected: Bool?
        var cliRevoked: [String]?
        var cliReasons: [String]?
        var controlStatus: String?
        var expiringListsControl: Bool?
        var expiringListsRevoked: Bool?
    }

    var steps: [String: Step]
    var serials: [String: String]
}

/// Revocation end to end: devices get certificates from CSRs and use them with the Azure SDKs; `provisio cert revoke`
/// and the service API revoke them, live connections drop within a second, the certificates are refused everywhere,
/// and the CRL at the CDP URL and the OCSP responder at the AIA URL agree, as openssl reads them.
@Suite("Certificate revocation with the Azure SDKs and openssl", .timeLimit(.minutes(5)))
struct RevocationFlowTests {
    @Test("revoke while connected: dropped within a second, refused everywhere, CRL and OCSP agree")
    func revocationScenario() async throws {
        let server = try await ServerProcess.start()
        let work = try TemporaryDirectory(prefix: "revocation-flow")
        let report = try await PythonRunner.run(
            "revocation_flow.py",
            [server.dataFile("connection.json").path, work.url.path, try TestEnvironment.provisioBinary().path,
             server.dataDirectory.path],
            as: RevocationFlowReport.self, timeout: .seconds(240))
        func step(_ name: String) throws -> RevocationFlowReport.Step {
            let step = try #require(report.steps[name], "step \(name) missing")
            #expect(step.ok, "\(name): \(step.error ?? "")")
            return step
        }
        let dpsHost = server.connection.dps.host
        let revokedSerial = try #require(report.serials["rev-dev-1"])
        let apiSerial = try #require(report.serials["rev-dev-3"])

        let setup = try step("setup")
        #expect(setup.crlDistributionPoint == "http://\(dpsHost):8080/crl/issuing.crl")
        #expect(setup.ocspURL == "http://\(dpsHost):8080/ocsp")
        #expect(setup.opensslVerify?.hasSuffix(": OK") == true, "\(setup.opensslVerify ?? "-")")

        let before = try step("beforeRevocation")
        #expect(before.x509ReRegistration == "assigned", "an issued certificate re-registers through the X.509 group")
        #expect(before.ocspBefore == "good")
        #expect(before.ocspVerified == true)

        let cli = try step("cliRevocation")
        #expect(cli.dropped == true, "the live connection was not dropped within the deadline")
        #expect((cli.dropAfterRevocation ?? 99) < 1.0, "dropped \(cli.dropAfterRevocation ?? -1) s after the revocation")
        #expect(cli.revokedSerial == revokedSerial)

        let refusals = try step("refusals")
        #expect(refusals.reconnectRefused == true)
        #expect(refusals.mqttReRegistrationRefused == true)
        #expect(refusals.httpsReRegistrationStatus == 401)
        #expect(refusals.httpsErrorCode == 401002)

        let crl = try step("crl")
        #expect(crl.contentType == "application/pkix-crl")
        #expect(crl.listsRevoked == true)
        #expect(crl.listsControl == false)
        #expect(crl.reasonShown == true)
        #expect(crl.signatureVerified == true)
        #expect(crl.revokedVerify?.contains("certificate revoked") == true, "\(crl.revokedVerify ?? "-")")
        #expect(crl.controlVerify?.hasSuffix(": OK") == true, "\(crl.controlVerify ?? "-")")

        let ocsp = try step("ocsp")
        #expect(ocsp.revoked == "revoked")
        #expect(ocsp.revokedVerified == true)
        #expect(ocsp.good == "good")
        #expect(ocsp.goodVerified == true)
        #expect(ocsp.getRevoked == true)

        let api = try step("apiRevocation")
        #expect(api.status == 200)
        #expect(api.revokedSerials == [apiSerial])
        #expect(api.reason == "cessationOfOperation")
        #expect(api.dropped == true)
        #expect((api.dropAfterRevocation ?? 99) < 1.0, "dropped \(api.dropAfterRevocation ?? -1) s after the revocation")
        #expect(api.ocsp == "revoked")
        #expect(api.unknownStatus == 404)
        #expect(api.unauthenticatedStatus == 401)
        #expect(api.listedRevoked == [revokedSerial, apiSerial].sorted())

        let control = try step("controlAndListing")
        #expect(control.controlConnected == true)
        #expect(control.cliRevoked == [revokedSerial, apiSerial].sorted())
        #expect(control.cliReasons == ["cessationOfOperation", "keyCompromise"])
        #expect(control.controlStatus == "active")
        #expect(control.expiringListsControl == true)
        #expect(control.expiringListsRevoked == false)

        #expect(try await server.stop() == .exited(0))
    }
}
