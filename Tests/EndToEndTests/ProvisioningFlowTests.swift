import Foundation
import Testing

/// What `python/provisioning_flow.py` reports: one entry per step of the provisioning scenario.
struct ProvisioningFlowReport: Decodable, Sendable {
    /// One step's outcome and details (which keys exist depends on the step).
    struct Step: Decodable, Sendable {
        var ok: Bool
        var error: String?
        var status: String?
        var assignedHub: String?
        var deviceId: String?
        var substatus: String?
        var payload: String?
        var hubDesired: [String: Int]?
        var hubConnected: Bool?
        var reRegisteredHub: String?
        var modelId: String?
        var generatedKeyLength: Int?
        var groupKeyLength: Int?
        var etagChanged: Bool?
        var updatedStatus: String?
        var staleEtagRefused: Bool?
        var queried: [String]?
        var deletedRefused: Bool?
        var disabled: Bool?
        var wrongKey: Bool?
        var unknown: Bool?
        var expiredTokenConnack: Int?
        var otherCertificateRefused: Bool?
        var uploadStatus: Int?
        var verifyStatus: Int?
        var cnMismatchRefused: Bool?
        var unknownCARefused: Bool?
        var webhookSawKeys: Bool?
        var webhookLinkedHubs: [String]?
        var registerStatus: Int?
        var retryAfter: String?
        var pollStatus: Int?
        var state: String?
        var lookupStatus: Int?
        var lookupHub: String?
        var badKeyStatus: Int?
        var badKeyErrorCode: Int?
        var x509Status: Int?
        var x509State: String?
        var oldApiVersionStatus: Int?
        var wrongCNStatus: Int?
        var chainLength: Int?
        var opensslVerify: String?
        var lookupHasChain: Bool?
    }

    var steps: [String: Step]
    var hubs: [String]
}

/// A manufacturer enrolls devices with the provisioning service SDK; devices register with the unmodified Azure
/// device SDK over MQTT (symmetric keys, X.509 individual and CA-verified group, custom allocation) and then
/// connect to the shard they were assigned.
@Suite("Device provisioning with the Azure SDKs", .timeLimit(.minutes(5)))
struct ProvisioningFlowTests {
    @Test("enrollments, attestation, allocation and assignment end to end")
    func provisioningScenario() async throws {
        let server = try await ServerProcess.start()
        let work = try TemporaryDirectory(prefix: "provisioning-flow")
        let report = try await PythonRunner.run(
            "provisioning_flow.py", [server.dataFile("connection.json").path, work.url.path], as: ProvisioningFlowReport.self,
            timeout: .seconds(240))
        func step(_ name: String) throws -> ProvisioningFlowReport.Step {
            let step = try #require(report.steps[name], "step \(name) missing")
            #expect(step.ok, "\(name): \(step.error ?? "")")
            return step
        }

        let pnp = try step("pnpModelId")
        #expect(pnp.modelId == "dtmi:com:example:Thermostat;1", "the registration payload's modelId is the hub twin's")

        let manage = try step("manageEnrollments")
        #expect(manage.generatedKeyLength == 64)
        #expect(manage.groupKeyLength == 64)
        #expect(manage.etagChanged == true)
        #expect(manage.updatedStatus == "disabled")
        #expect(manage.staleEtagRefused == true)
        #expect(manage.queried?.contains("e2e-crud") == true)
        #expect(manage.deletedRefused == true)

        let individual = try step("symmetricIndividual")
        #expect(individual.status == "assigned")
        #expect(report.hubs.contains(individual.assignedHub ?? "-"))
        #expect(individual.deviceId == "sym-ind-1")
        #expect(individual.substatus == "initialAssignment")
        #expect(individual.hubDesired == ["interval": 5], "the initial twin reaches the shard")

        let group = try step("symmetricGroup")
        #expect(group.status == "assigned")
        #expect(report.hubs.contains(group.assignedHub ?? "-"))
        #expect(group.hubConnected == true)
        #expect(group.reRegisteredHub == group.assignedHub, "hashed allocation is stable")

        let refusals = try step("symmetricRefusals")
        #expect(refusals.disabled == true)
        #expect(refusals.wrongKey == true)
        #expect(refusals.unknown == true)
        #expect(refusals.expiredTokenConnack == 5)

        let x509Individual = try step("x509Individual")
        #expect(x509Individual.status == "assigned")
        #expect(x509Individual.hubConnected == true)
        #expect(x509Individual.otherCertificateRefused == true)

        let x509Group = try step("x509Group")
        #expect(x509Group.uploadStatus == 200)
        #expect(x509Group.verifyStatus == 200)
        #expect(x509Group.status == "assigned")
        #expect(x509Group.hubConnected == true)
        #expect(x509Group.cnMismatchRefused == true)
        #expect(x509Group.unknownCARefused == true)

        let custom = try step("customAllocation")
        #expect(custom.status == "assigned")
        #expect(custom.assignedHub == report.hubs.last, "the webhook chose the last hub")
        #expect(custom.payload?.contains("\"chosen\": \"last\"") == true)
        #expect(custom.payload?.contains("\"hint\": 7") == true, "the device payload reached the webhook and came back")
        #expect(custom.webhookSawKeys == false, "symmetric keys never reach the webhook")
        #expect(custom.webhookLinkedHubs == report.hubs)

        let https = try step("httpsRegistration")
        #expect(https.registerStatus == 202)
        #expect(https.retryAfter == "1")
        #expect(https.pollStatus == 200)
        #expect(https.state == "assigned")
        #expect(report.hubs.contains(https.assignedHub ?? "-"))
        #expect(https.lookupStatus == 200)
        #expect(https.lookupHub == https.assignedHub)
        #expect(https.badKeyStatus == 401)
        #expect(https.badKeyErrorCode == 401002)
        #expect(https.x509Status == 202)
        #expect(https.x509State == "assigned")

        let csr = try step("csrIssuance")
        #expect(csr.oldApiVersionStatus == 400, "older api-versions refuse a csr")
        #expect(csr.wrongCNStatus == 400, "the CSR's CN must be the registration id")
        #expect(csr.state == "assigned")
        #expect(csr.chainLength == 3, "leaf, issuing CA, root")
        #expect(csr.opensslVerify?.hasSuffix(": OK") == true, "openssl accepts the issued chain: \(csr.opensslVerify ?? "-")")
        #expect(csr.hubConnected == true, "the device connects to its shard with the issued certificate")
        #expect(csr.lookupHasChain == false, "status lookups never return the chain")

        #expect(try await server.stop() == .exited(0))
    }
}
