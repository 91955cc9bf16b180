import Foundation
import Testing

/// What `python/ca_rotation_flow.py` reports: one entry per step.
struct CARotationFlowReport: Decodable, Sendable {
    struct Row: Decodable, Sendable, Equatable {
        var generation: Int
        var role: String
        var state: String
    }

    struct Step: Decodable, Sendable {
        var ok: Bool
        var error: String?
        var oldLeafIssuer: String?
        var healthStatus: Int?
        var keepAliveServerIssuer: String?
        var newConnectionIssuer: String?
        var newConnectionIssuers: [String: String]?
        var switchSeconds: Double?
        var keepAliveStatus: Int?
        var sameSocket: Bool?
        var oldClientStayedConnected: Bool?
        var oldDeviceReconnected: Bool?
        var newLeafIssuer: String?
        var crlDistributionPoint: String?
        var opensslVerify: [String: String]?
        var newDeviceConnected: Bool?
        var crlStatus: [String: Int]?
        var listing: [Row]?
        var bundleCertificates: Int?
        var estCACertificates: [String]?
        var estReenrollStatus: Int?
        var oldDeviceRefused: String?
        var oldConnectionDropped: Bool?
        var oldCRLStatus: Int?
        var oldLeafVerifyWithoutCRL: String?
        var states: [String]?
    }

    var steps: [String: Step]
}

/// CA rotation end to end: `provisio ca rotate --activate-at now` while a device (Azure SDK, operational certificate)
/// and an HTTPS keep-alive connection are open; both survive, new handshakes see a server certificate from the new
/// issuing CA, new registrations get chains from it, openssl verifies old and new leaves against the trust bundle,
/// and `provisio ca retire 1` refuses the old device afterwards.
@Suite("CA rotation with the Azure SDK, openssl and Python ssl", .timeLimit(.minutes(5)))
struct CARotationFlowTests {
    @Test("rotate while connected: connections survive, issuance and server certificates switch, the bundle verifies both")
    func rotationScenario() async throws {
        let server = try await ServerProcess.start()
        let work = try TemporaryDirectory(prefix: "ca-rotation-flow")
        let report = try await PythonRunner.run(
            "ca_rotation_flow.py",
            [server.dataFile("connection.json").path, work.url.path, try TestEnvironment.provisioBinary().path,
             server.dataDirectory.path],
            as: CARotationFlowReport.self, timeout: .seconds(240))
        func step(_ name: String) throws -> CARotationFlowReport.Step {
            let step = try #require(report.steps[name], "step \(name) missing")
            #expect(step.ok, "\(name): \(step.error ?? "")")
            return step
        }
        let dpsHost = server.connection.dps.host

        let setup = try step("setup")
        #expect(setup.oldLeafIssuer == "Provisio Issuing CA 1")
        #expect(setup.healthStatus == 200)
        #expect(setup.keepAliveServerIssuer == "Provisio Issuing CA 1")
        #expect(setup.newConnectionIssuer == "Provisio Issuing CA 1")

        let rotate = try step("rotate")
        #expect(rotate.newConnectionIssuers == ["mqtt": "Provisio Issuing CA 2", "https": "Provisio Issuing CA 2",
                                                "dps": "Provisio Issuing CA 2"])
        // The monitor polls every 250 ms; the margin is for a loaded CI machine running the whole suite at once.
        #expect((rotate.switchSeconds ?? 99) < 20)

        let existing = try step("existingConnections")
        #expect(existing.keepAliveStatus == 200)
        #expect(existing.sameSocket == true, "the keep-alive connection was replaced")
        #expect(existing.keepAliveServerIssuer == "Provisio Issuing CA 1", "an open connection keeps its handshake")
        #expect(existing.oldClientStayedConnected == true)
        #expect(existing.oldDeviceReconnected == true)

        let new = try step("newDevice")
        #expect(new.newLeafIssuer == "Provisio Issuing CA 2")
        #expect(new.crlDistributionPoint == "http://\(dpsHost):8080/crl/issuing-2.crl")
        #expect(new.opensslVerify?["rot-dev-old"]?.hasSuffix(": OK") == true, "\(new.opensslVerify ?? [:])")
        #expect(new.opensslVerify?["rot-dev-new"]?.hasSuffix(": OK") == true, "\(new.opensslVerify ?? [:])")
        #expect(new.newDeviceConnected == true)
        #expect(new.crlStatus == ["issuing": 200, "issuing-2": 200], "both issuing CAs' CRLs are served during the overlap")

        let pending = try step("pendingRoot")
        #expect(pending.listing == [
            .init(generation: 1, role: "root", state: "active"),
            .init(generation: 1, role: "issuing", state: "verifying-only"),
            .init(generation: 2, role: "issuing", state: "active"),
            .init(generation: 3, role: "root", state: "pending"),
            .init(generation: 3, role: "issuing", state: "pending"),
        ])
        #expect(pending.bundleCertificates == 2, "the pending root is in the trust bundle before it issues")
        // (A certs-only SignedData holds a SET OF certificates, in DER order.)
        #expect(pending.estCACertificates?.sorted() == ["Provisio Issuing CA 2", "Provisio Root CA", "Provisio Root CA G3"],
                "EST cacerts: the issuing chain in force and the pending root")
        #expect(pending.newConnectionIssuer == "Provisio Issuing CA 2", "a pending generation does not issue yet")

        let retire = try step("retire")
        #expect(retire.oldConnectionDropped == true, "the old device's open connection was not dropped at retirement")
        #expect(retire.oldDeviceRefused != nil && retire.oldDeviceRefused != "false", "the old device still connects")
        #expect(retire.newDeviceConnected == true)
        #expect(retire.oldCRLStatus == 404)
        #expect(retire.estReenrollStatus == 403, "EST must not renew a certificate of a retired issuing CA")
        #expect(retire.states == ["active", "retired", "active", "pending", "pending"])

        #expect(try await server.stop() == .exited(0))
    }
}
