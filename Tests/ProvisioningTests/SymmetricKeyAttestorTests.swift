import ProvisioTestSupport
import Foundation
import Provisioning
import AccessControl
import Testing

@Suite struct SymmetricKeyAttestorTests {
    static let idScope = "0ne0012AB34"
    static let now = Date(timeIntervalSince1970: 1_704_067_200)
    static let expiry = Int64(1_704_067_200 + 3_600)
    static let groupKey = "8isrFI1sGsIlvvFSSFRiMfCNzv21fjbE/+ah/lSh3lF8e2YG1Te7w1KpZhJFFXJrqYKi9yegxkqIChbqOS9Egw=="
    static let memberId = "sn-007-888-abc-mac-a1-b2-c3-d4-e5-f6"
    static let memberKey = "Jsm0lyGpjaVYVP2g3FnmnmG9dI/9qU24wNoykUmermc="
    static let primary = Data(repeating: 0xA1, count: 32).base64EncodedString()
    static let secondary = Data(repeating: 0xB2, count: 32).base64EncodedString()

    let repository = InMemoryEnrollmentRepository()
    var attestor: SymmetricKeyAttestor { SymmetricKeyAttestor(repository: repository, idScope: Self.idScope) }

    /// A DPS registration token for `registrationId` signed with the Base64 `key`.
    static func token(_ registrationId: String, key: String, expiry: Int64 = expiry, scope: String = idScope) throws -> String {
        SharedAccessSignature.make(resource: "\(scope)/registrations/\(registrationId)", key: try SharedAccessKey(base64: key),
                                   expiry: expiry, keyName: "registration")
    }

    func enroll(_ registrationId: String, status: ProvisioningStatus = .enabled) async throws {
        var enrollment = IndividualEnrollment(registrationId: registrationId, attestation: AttestationMechanism(
            type: .symmetricKey, symmetricKey: SymmetricKeyAttestation(primaryKey: Self.primary, secondaryKey: Self.secondary)))
        enrollment.provisioningStatus = status
        try await repository.saveIndividualEnrollment(enrollment, expectedETag: nil)
    }

    func enrollGroup(_ id: String, key: String = groupKey, status: ProvisioningStatus = .enabled) async throws {
        var group = EnrollmentGroup(enrollmentGroupId: id, attestation: AttestationMechanism(
            type: .symmetricKey, symmetricKey: SymmetricKeyAttestation(primaryKey: Data(repeating: 0xC3, count: 64).base64EncodedString(),
                                                                       secondaryKey: key)))
        group.provisioningStatus = status
        try await repository.saveEnrollmentGroup(group, expectedETag: nil)
    }

    /// Expects a 401 / 401002 refusal.
    @discardableResult
    func expectRefused(_ registrationId: String, token: String, now: Date = now,
                       sourceLocation: SourceLocation = #_sourceLocation) async -> ProvisioningError? {
        let error = await #expect(throws: ProvisioningError.self, sourceLocation: sourceLocation) {
            try await attestor.attest(registrationId: registrationId, token: token, now: now)
        }
        #expect(error?.status == 401, sourceLocation: sourceLocation)
        #expect(error?.errorCode == 401_002, sourceLocation: sourceLocation)
        return error
    }

    @Test(arguments: [primary, secondary])
    func individualKeysMatch(key: String) async throws {
        try await enroll("dev-1")
        let device = try await attestor.attest(registrationId: "dev-1", token: try Self.token("dev-1", key: key), now: Self.now)
        #expect(device.registrationId == "dev-1")
        guard case .individual(let enrollment) = device.source else { Issue.record("not individual: \(device.source)"); return }
        #expect(enrollment.registrationId == "dev-1")
        #expect(device.hubAuthentication == .symmetricKey(primaryKey: Self.primary, secondaryKey: Self.secondary))
        #expect(device.symmetricKeyResult == SymmetricKeyRegistrationResult(enrollmentGroupId: nil))
    }

    @Test func groupMemberSignsWithItsDerivedKey() async throws {
        try await enrollGroup("factory-line-7")
        let device = try await attestor.attest(registrationId: Self.memberId, token: try Self.token(Self.memberId, key: Self.memberKey), now: Self.now)
        guard case .group(let group) = device.source else { Issue.record("not a group: \(device.source)"); return }
        #expect(group.enrollmentGroupId == "factory-line-7")
        #expect(device.symmetricKeyResult == SymmetricKeyRegistrationResult(enrollmentGroupId: "factory-line-7"))
        guard case .symmetricKey(let derivedPrimary, let derivedSecondary) = device.hubAuthentication else {
            Issue.record("not symmetric: \(device.hubAuthentication)")
            return
        }
        #expect(derivedSecondary == Self.memberKey)
        #expect(derivedPrimary == SharedAccessKey(bytes: Array(repeating: 0xC3, count: 64)).derived(for: Self.memberId).base64)
    }

    @Test func groupKeyItselfIsNotADeviceCredential() async throws {
        try await enrollGroup("factory-line-7")
        await expectRefused(Self.memberId, token: try Self.token(Self.memberId, key: Self.groupKey))
    }

    @Test func disabledGroupsAreSkipped() async throws {
        try await enrollGroup("factory-line-7", status: .disabled)
        await expectRefused(Self.memberId, token: try Self.token(Self.memberId, key: Self.memberKey))
    }

    @Test func disabledIndividualEnrollmentRefusesEvenWhenAGroupKeyMatches() async throws {
        try await enrollGroup("factory-line-7")
        try await enroll(Self.memberId, status: .disabled)
        let error = await expectRefused(Self.memberId, token: try Self.token(Self.memberId, key: Self.memberKey))
        #expect(error?.message.contains("disabled") == true)
    }

    @Test func expiredTokensAreRefused() async throws {
        try await enroll("dev-1")
        try await enrollGroup("factory-line-7")
        let past = Int64(Self.now.timeIntervalSince1970) - 1
        await expectRefused("dev-1", token: try Self.token("dev-1", key: Self.primary, expiry: past))
        await expectRefused(Self.memberId, token: try Self.token(Self.memberId, key: Self.memberKey, expiry: past))
        // Exactly at expiry is too late as well.
        await expectRefused("dev-1", token: try Self.token("dev-1", key: Self.primary), now: Date(timeIntervalSince1970: TimeInterval(Self.expiry)))
    }

    @Test func tokensForAnotherRegistrationOrScopeAreRefused() async throws {
        try await enroll("dev-1")
        try await enroll("dev-2")
        try await enrollGroup("factory-line-7")
        // dev-2's token, signed with the key dev-1 and dev-2 happen to share, presented as dev-1.
        await expectRefused("dev-1", token: try Self.token("dev-2", key: Self.primary))
        await expectRefused("dev-1", token: try Self.token("dev-1", key: Self.primary, scope: "0ne00000000"))
        // A member's derived key only speaks for that member.
        let other = "sn-007-888-abc-mac-a1-b2-c3-d4-e5-f7"
        await expectRefused(other, token: try Self.token(Self.memberId, key: Self.memberKey))
        await expectRefused(other, token: try Self.token(other, key: Self.memberKey))
    }

    @Test func wrongKeysAreRefused() async throws {
        try await enroll("dev-1")
        await expectRefused("dev-1", token: try Self.token("dev-1", key: Data(repeating: 0x33, count: 32).base64EncodedString()))
        await expectRefused("nobody", token: try Self.token("nobody", key: Self.primary))
    }

    @Test(arguments: ["", "garbage", "SharedAccessSignature sr=0ne0012AB34%2Fregistrations%2Fdev-1",
                      "SharedAccessSignature sr=0ne0012AB34%2Fregistrations%2Fdev-1&sig=&se=1704070800",
                      "SharedAccessSignature sr=0ne0012AB34%2Fregistrations%2Fdev-1&sig=abc%3D&se=soon",
                      "Bearer eyJhbGciOiJIUzI1NiJ9.e30.x"])
    func malformedTokensAreRefused(token: String) async throws {
        try await enroll("dev-1")
        let error = await expectRefused("dev-1", token: token)
        #expect(error?.message == "malformed SAS token")
    }
}
