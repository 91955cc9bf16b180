import ProvisioTestSupport
import Foundation
import Provisioning
import Testing

@Suite struct EnrollmentServiceTests {
    @Test func createFillsKeysDefaultsETagAndTimestamps() async throws {
        let fixture = ServiceFixture()
        let stored = try await fixture.put(ServiceFixture.enrollment("dev-1"))
        let keys = try #require(stored.attestation.symmetricKey)
        #expect(Data(base64Encoded: keys.primaryKey ?? "")?.count == 64)
        #expect(Data(base64Encoded: keys.secondaryKey ?? "")?.count == 64)
        #expect(keys.primaryKey != keys.secondaryKey)
        #expect(stored.provisioningStatus == .enabled)
        #expect(stored.reprovisionPolicy == ReprovisionPolicy(updateHubAssignment: true, migrateDeviceData: true))
        #expect(isQuotedUUID(stored.etag))
        #expect(stored.createdDateTimeUtc == "2024-01-01T00:00:00.0000000Z")
        #expect(stored.lastUpdatedDateTimeUtc == stored.createdDateTimeUtc)
        #expect(await fixture.repository.individualEnrollment(registrationId: "DEV-1") == stored)
    }

    @Test func emptyKeysAreGeneratedAndGivenKeysKept() async throws {
        let fixture = ServiceFixture()
        let given = Data(repeating: 7, count: 32).base64EncodedString()
        let stored = try await fixture.put(ServiceFixture.enrollment("dev-2", keys: .init(primaryKey: given, secondaryKey: "")))
        #expect(stored.attestation.symmetricKey?.primaryKey == given)
        #expect(Data(base64Encoded: stored.attestation.symmetricKey?.secondaryKey ?? "")?.count == 64)
    }

    @Test(arguments: ["not base64!", Data(count: 15).base64EncodedString(), Data(count: 65).base64EncodedString()])
    func invalidKeysAreRefused(key: String) async throws {
        let fixture = ServiceFixture()
        let error = await expectProvisioningError(status: 400) {
            try await fixture.put(ServiceFixture.enrollment("dev-3", keys: .init(primaryKey: key)))
        }
        #expect(error?.message.contains("primaryKey must be Base64 text of 16 to 64 bytes") == true)
    }

    @Test(arguments: ["", String(repeating: "a", count: 129), "has space", "slash/id", "ümlaut", "semi;colon"])
    func invalidRegistrationIdsAreRefused(id: String) async throws {
        let fixture = ServiceFixture()
        await expectProvisioningError(status: 400) { try await fixture.put(ServiceFixture.enrollment(id)) }
    }

    @Test func longestAndPunctuatedIdsAreAccepted() async throws {
        let fixture = ServiceFixture()
        try await fixture.put(ServiceFixture.enrollment(String(repeating: "a", count: 128)))
        try await fixture.put(ServiceFixture.enrollment("a-b.c_d:e"))
    }

    @Test func pathAndBodyIdsMustAgree() async throws {
        let fixture = ServiceFixture()
        await expectProvisioningError(status: 400) {
            _ = try await fixture.service.createOrUpdateIndividualEnrollment(
                registrationId: "other", ServiceFixture.enrollment("dev-4"), ifMatch: nil)
        }
    }

    @Test func updateKeepsCreationTimeAndChangesETag() async throws {
        let fixture = ServiceFixture()
        let first = try await fixture.put(ServiceFixture.enrollment("dev-5"))
        fixture.clock.advance(by: 1.5)
        var changed = first
        changed.provisioningStatus = .disabled
        let second = try await fixture.put(changed)
        #expect(second.createdDateTimeUtc == first.createdDateTimeUtc)
        #expect(second.lastUpdatedDateTimeUtc == "2024-01-01T00:00:01.5000000Z")
        #expect(isServiceTimestamp(second.lastUpdatedDateTimeUtc))
        #expect(second.etag != first.etag)
        #expect(second.provisioningStatus == .disabled)
    }

    @Test func ifMatchIsEnforced() async throws {
        let fixture = ServiceFixture()
        let first = try await fixture.put(ServiceFixture.enrollment("dev-6"))
        let second = try await fixture.put(first, ifMatch: first.etag)
        await expectProvisioningError(status: 412) { try await fixture.put(second, ifMatch: first.etag) }
        // Unquoted and wildcard forms, as curl users send them.
        let unquoted = try #require(second.etag?.replacingOccurrences(of: "\"", with: ""))
        let third = try await fixture.put(second, ifMatch: unquoted)
        try await fixture.put(third, ifMatch: "*")
        await expectProvisioningError(status: 404) { try await fixture.put(ServiceFixture.enrollment("dev-new"), ifMatch: "*") }
        await expectProvisioningError(status: 412) {
            try await fixture.service.deleteIndividualEnrollment(registrationId: "dev-6", ifMatch: first.etag)
        }
    }

    @Test func getDeleteAndAttestation() async throws {
        let fixture = ServiceFixture()
        let stored = try await fixture.put(ServiceFixture.enrollment("dev-7"))
        #expect(try await fixture.service.individualEnrollment(registrationId: "DEV-7") == stored)
        #expect(try await fixture.service.individualEnrollmentAttestation(registrationId: "dev-7") == stored.attestation)
        try await fixture.service.deleteIndividualEnrollment(registrationId: "dev-7", ifMatch: stored.etag)
        let error = await expectProvisioningError(status: 404) { _ = try await fixture.service.individualEnrollment(registrationId: "dev-7") }
        #expect(error?.errorCode == 404_201)
        await expectProvisioningError(status: 404) { try await fixture.service.deleteIndividualEnrollment(registrationId: "dev-7", ifMatch: nil) }
        await expectProvisioningError(status: 404) { _ = try await fixture.service.individualEnrollmentAttestation(registrationId: "dev-7") }
    }

    @Test func readOnlyRegistrationStateIsNotStoredButReturned() async throws {
        let fixture = ServiceFixture()
        var enrollment = ServiceFixture.enrollment("dev-8")
        enrollment.registrationState = DeviceRegistrationState(registrationId: "dev-8", status: .assigned)
        let stored = try await fixture.put(enrollment)
        #expect(stored.registrationState == nil)
        var state = DeviceRegistrationState(registrationId: "dev-8", status: .assigned)
        state.assignedHub = ServiceFixture.hubs[0]
        try await fixture.repository.saveRegistration(RegistrationRecord(state: state, operationId: "op", hubName: "hub1", enrollmentGroupId: nil))
        #expect(try await fixture.service.individualEnrollment(registrationId: "dev-8").registrationState == state)
        #expect(await fixture.repository.individualEnrollment(registrationId: "dev-8")?.registrationState == nil)
    }

    @Test func allocationSettingsAreValidated() async throws {
        let fixture = ServiceFixture()
        func enrollment(_ policy: AllocationPolicyKind?, hubs: [String]? = nil, hostName: String? = nil,
                        webhook: String? = nil) -> IndividualEnrollment {
            var enrollment = ServiceFixture.enrollment("alloc")
            enrollment.allocationPolicy = policy
            enrollment.iotHubs = hubs
            enrollment.iotHubHostName = hostName
            enrollment.customAllocationDefinition = webhook.map { CustomAllocationDefinition(webhookUrl: $0) }
            return enrollment
        }
        try await fixture.put(enrollment(.static, hubs: ["HUB1.provisio.test"]))
        try await fixture.put(enrollment(.static, hostName: ServiceFixture.hubs[1]))
        try await fixture.put(enrollment(.hashed, hubs: ServiceFixture.hubs))
        try await fixture.put(enrollment(.custom, webhook: "https://alloc.example/api?code=x"))
        try await fixture.put(enrollment(.custom, webhook: "http://127.0.0.1:7071/alloc"))
        await expectProvisioningError(status: 400) { try await fixture.put(enrollment(.static, hubs: ServiceFixture.hubs)) }
        await expectProvisioningError(status: 400) { try await fixture.put(enrollment(.static)) }
        await expectProvisioningError(status: 400) { try await fixture.put(enrollment(.hashed, hubs: ["unknown.hub"])) }
        await expectProvisioningError(status: 400) { try await fixture.put(enrollment(nil, hostName: "unknown.hub")) }
        await expectProvisioningError(status: 400) { try await fixture.put(enrollment(.custom)) }
        await expectProvisioningError(status: 400) { try await fixture.put(enrollment(.custom, webhook: "ftp://alloc.example/")) }
        await expectProvisioningError(status: 400) { try await fixture.put(enrollment(.custom, webhook: "not a url")) }
    }

    @Test func deviceIdAndTwinAreValidated() async throws {
        let fixture = ServiceFixture()
        var enrollment = ServiceFixture.enrollment("twin")
        enrollment.deviceId = "device (1)"
        await expectProvisioningError(status: 400) { try await fixture.put(enrollment) }
        enrollment.deviceId = "device-1"
        enrollment.initialTwin = .string("nope")
        await expectProvisioningError(status: 400) { try await fixture.put(enrollment) }
        enrollment.initialTwin = .object(["tags": .object(["floor": .number(3)]), "properties": .object(["desired": .array([])])])
        await expectProvisioningError(status: 400) { try await fixture.put(enrollment) }
        enrollment.initialTwin = .object(["tags": .object(["floor": .number(3)]), "properties": .object(["desired": .object([:])])])
        #expect(try await fixture.put(enrollment).initialTwin == enrollment.initialTwin)
    }

    @Test func tpmAndNoneAttestation() async throws {
        let fixture = ServiceFixture()
        let ek = TPMVectors.endorsementKey
        let tpm = IndividualEnrollment(registrationId: "tpm-1", attestation: .init(type: .tpm, tpm: TPMAttestation(endorsementKey: ek)))
        #expect(try await fixture.put(tpm).attestation.tpm?.endorsementKey == ek)
        let badEK = IndividualEnrollment(registrationId: "tpm-2", attestation: .init(type: .tpm, tpm: TPMAttestation(endorsementKey: "%%%")))
        await expectProvisioningError(status: 400) { try await fixture.put(badEK) }
        let missing = IndividualEnrollment(registrationId: "tpm-3", attestation: .init(type: .tpm))
        await expectProvisioningError(status: 400) { try await fixture.put(missing) }
        let none = IndividualEnrollment(registrationId: "none-1", attestation: .init(type: .none))
        await expectProvisioningError(status: 400) { try await fixture.put(none) }
        let group = EnrollmentGroup(enrollmentGroupId: "tpm-group", attestation: .init(type: .tpm, tpm: TPMAttestation(endorsementKey: ek)))
        await expectProvisioningError(status: 400) {
            _ = try await fixture.service.createOrUpdateEnrollmentGroup(id: "tpm-group", group, ifMatch: nil)
        }
    }

    @Test func groupsFollowTheSameRules() async throws {
        let fixture = ServiceFixture()
        let stored = try await fixture.service.createOrUpdateEnrollmentGroup(id: "group-1", ServiceFixture.group("group-1"), ifMatch: nil)
        #expect(Data(base64Encoded: stored.attestation.symmetricKey?.primaryKey ?? "")?.count == 64)
        #expect(stored.provisioningStatus == .enabled && stored.reprovisionPolicy == ReprovisionPolicy())
        #expect(isQuotedUUID(stored.etag) && isServiceTimestamp(stored.createdDateTimeUtc))
        #expect(try await fixture.service.enrollmentGroup(id: "GROUP-1") == stored)
        #expect(try await fixture.service.enrollmentGroupAttestation(id: "group-1") == stored.attestation)
        await expectProvisioningError(status: 412) {
            _ = try await fixture.service.createOrUpdateEnrollmentGroup(id: "group-1", stored, ifMatch: "\"stale\"")
        }
        await expectProvisioningError(status: 400) {
            _ = try await fixture.service.createOrUpdateEnrollmentGroup(id: "group 2", ServiceFixture.group("group 2"), ifMatch: nil)
        }
        try await fixture.service.deleteEnrollmentGroup(id: "group-1", ifMatch: nil)
        let error = await expectProvisioningError(status: 404) { _ = try await fixture.service.enrollmentGroup(id: "group-1") }
        #expect(error?.errorCode == 404_202)
    }
}
