import AccessControl
import Foundation
@testable import Provisioning
import Testing

/// TPM attestation in the domain: enrollment validation, the challenge, the TPM-signed SAS and the wrapped hub key,
/// with a software TPM (openssl keys in the TCG templates) opening the blobs.
@Suite("TPM attestation", .serialized)
struct TPMAttestorTests {
    static let idScope = "0ne0012AB34"

    let fixture = ServiceFixture()
    let challenges = TPMChallengeStore(lifetime: 3_600)
    let tpm: SoftwareTPM
    var attestor: TPMAttestor {
        let random = fixture.random
        return TPMAttestor(repository: fixture.repository, idScope: Self.idScope, challenges: challenges, randomBytes: { random.bytes($0) })
    }

    init() throws {
        tpm = try SoftwareTPM()
    }

    var endorsementKey: String { Data(tpm.endorsementKey.sizedBytes).base64EncodedString() }
    var storageRootKey: String { Data(tpm.storageRootKey.sizedBytes).base64EncodedString() }

    @discardableResult
    func enroll(_ id: String, endorsementKey: String? = nil, storageRootKey: String? = nil,
                status: ProvisioningStatus = .enabled) async throws -> IndividualEnrollment {
        var enrollment = IndividualEnrollment(registrationId: id, attestation: AttestationMechanism(
            type: .tpm, tpm: TPMAttestation(endorsementKey: endorsementKey ?? self.endorsementKey, storageRootKey: storageRootKey)))
        enrollment.provisioningStatus = status
        return try await fixture.put(enrollment)
    }

    func token(_ id: String, key: [UInt8], lifetime: TimeInterval = 3_600) -> String {
        SharedAccessSignature.make(resource: "\(Self.idScope)/registrations/\(id)", key: SharedAccessKey(bytes: key),
                                   expiry: Int64(fixture.clock.now().timeIntervalSince1970 + lifetime), keyName: "registration")
    }

    /// The challenge for `id`, opened by the software TPM: the identity key it imported.
    func answerChallenge(_ id: String) async throws -> [UInt8] {
        let blob = try await attestor.challenge(registrationId: id, endorsementKey: endorsementKey, storageRootKey: storageRootKey,
                                                now: fixture.clock.now())
        return try tpm.recoverKey(from: blob.bytes)
    }

    @Test("challenge, TPM-signed SAS, and a hub key the same TPM unwraps and the hub uses as its symmetric key")
    func fullFlow() async throws {
        try await enroll("tpm-dev-1")
        let identityKey = try await answerChallenge("tpm-dev-1")
        #expect(identityKey.count == 32)

        let device = try await attestor.attest(registrationId: "tpm-dev-1", token: token("tpm-dev-1", key: identityKey), now: fixture.clock.now())
        #expect(device.registrationId == "tpm-dev-1")
        let result = try #require(device.tpmResult)
        let hubKey = try tpm.recoverKey(from: Array(try #require(Data(base64Encoded: result.authenticationKey))))
        #expect(device.hubAuthentication == .symmetricKey(primaryKey: Data(hubKey).base64EncodedString(),
                                                          secondaryKey: Data(hubKey).base64EncodedString()))
        #expect(hubKey != identityKey)
        let enrollment = try await attestor.authenticate(registrationId: "TPM-DEV-1", token: token("TPM-DEV-1", key: identityKey),
                                                         now: fixture.clock.now())
        #expect(enrollment.registrationId == "tpm-dev-1")
    }

    @Test("enrollment creation parses the EK: not an EK template, not Base64, or truncated is a 400 that says why")
    func enrollmentValidation() async throws {
        try await enroll("swtpm-ek", endorsementKey: TPMVectors.endorsementKey, storageRootKey: TPMVectors.storageRootKey)
        let notEK = await expectProvisioningError(status: 400) {
            try await enroll("srk-as-ek", endorsementKey: TPMVectors.storageRootKey)
        }
        #expect(notEK?.message.contains("attestation.tpm.endorsementKey does not have the TCG EK template's attributes") == true)
        let garbage = await expectProvisioningError(status: 400) { try await enroll("garbage", endorsementKey: "@@@") }
        #expect(garbage?.message == "attestation.tpm.endorsementKey must be Base64 text")
        let truncated = Data(TPMVectors.endorsementKeyBytes.prefix(100)).base64EncodedString()
        let short = await expectProvisioningError(status: 400) { try await enroll("short", endorsementKey: truncated) }
        #expect(short?.message == "attestation.tpm.endorsementKey is truncated")
        let badSRK = await expectProvisioningError(status: 400) {
            try await enroll("bad-srk", storageRootKey: Data([0, 4, 0, 8, 0, 11]).base64EncodedString())
        }
        #expect(badSRK?.message.hasPrefix("attestation.tpm.storageRootKey") == true)
    }

    @Test("no challenge without an enabled TPM enrollment holding exactly this EK")
    func challengeRefusals() async throws {
        let now = fixture.clock.now()
        let unknown = await expectProvisioningError(status: 401) {
            _ = try await attestor.challenge(registrationId: "nobody", endorsementKey: endorsementKey, storageRootKey: storageRootKey, now: now)
        }
        #expect(unknown?.errorCode == 401_002)
        try await enroll("other-ek", endorsementKey: TPMVectors.endorsementKey)
        await expectProvisioningError(status: 401) {
            _ = try await attestor.challenge(registrationId: "other-ek", endorsementKey: endorsementKey, storageRootKey: storageRootKey, now: now)
        }
        try await enroll("off", status: .disabled)
        let disabled = await expectProvisioningError(status: 401) {
            _ = try await attestor.challenge(registrationId: "off", endorsementKey: endorsementKey, storageRootKey: storageRootKey, now: now)
        }
        #expect(disabled?.message == "enrollment off is disabled")
        try await enroll("pinned-srk", storageRootKey: TPMVectors.storageRootKey)
        await expectProvisioningError(status: 401) {
            _ = try await attestor.challenge(registrationId: "pinned-srk", endorsementKey: endorsementKey, storageRootKey: storageRootKey, now: now)
        }
        try await enroll("no-srk")
        await expectProvisioningError(status: 400) {
            _ = try await attestor.challenge(registrationId: "no-srk", endorsementKey: endorsementKey, storageRootKey: nil, now: now)
        }
    }

    @Test("a stranger who presents an enrolled EK with its own SRK gets a blob it cannot open")
    func strangerCannotUseChallenge() async throws {
        try await enroll("victim")
        let stranger = try SoftwareTPM()
        let blob = try await attestor.challenge(registrationId: "victim", endorsementKey: endorsementKey,
                                                storageRootKey: Data(stranger.storageRootKey.sizedBytes).base64EncodedString(),
                                                now: fixture.clock.now())
        #expect(throws: SoftwareTPM.Failure.self) { try stranger.recoverKey(from: blob.bytes) }
        // Nor does the stranger's request void the real device's outstanding key.
        let identityKey = try await answerChallenge("victim")
        _ = try await attestor.challenge(registrationId: "victim", endorsementKey: endorsementKey,
                                         storageRootKey: Data(stranger.storageRootKey.sizedBytes).base64EncodedString(),
                                         now: fixture.clock.now())
        _ = try await attestor.attest(registrationId: "victim", token: token("victim", key: identityKey), now: fixture.clock.now())
    }

    @Test("a SAS not signed by the imported key, an expired challenge, or a disabled enrollment is a 401")
    func sasRefusals() async throws {
        let enrollment = try await enroll("tpm-dev-2")
        let identityKey = try await answerChallenge("tpm-dev-2")
        let now = fixture.clock.now()
        let wrongKey = await expectProvisioningError(status: 401) {
            _ = try await attestor.attest(registrationId: "tpm-dev-2", token: token("tpm-dev-2", key: [UInt8](repeating: 1, count: 32)), now: now)
        }
        #expect(wrongKey?.message.contains("not signed by a key this TPM imported") == true)
        await expectProvisioningError(status: 401) {
            _ = try await attestor.attest(registrationId: "tpm-dev-2", token: "SharedAccessSignature nonsense", now: now)
        }
        await expectProvisioningError(status: 401) {
            _ = try await attestor.attest(registrationId: "tpm-dev-2", token: token("tpm-dev-2", key: identityKey, lifetime: -10), now: now)
        }

        var disabled = enrollment
        disabled.provisioningStatus = .disabled
        try await fixture.put(disabled)
        await expectProvisioningError(status: 401) {
            _ = try await attestor.attest(registrationId: "tpm-dev-2", token: token("tpm-dev-2", key: identityKey), now: now)
        }
        disabled.provisioningStatus = .enabled
        try await fixture.put(disabled)
        _ = try await attestor.attest(registrationId: "tpm-dev-2", token: token("tpm-dev-2", key: identityKey), now: now)

        fixture.clock.advance(by: 3_601)
        await expectProvisioningError(status: 401) {
            _ = try await attestor.attest(registrationId: "tpm-dev-2", token: token("tpm-dev-2", key: identityKey), now: fixture.clock.now())
        }
    }

    @Test("the challenge store keeps the newest keys per registration and forgets expired ones")
    func challengeStore() async throws {
        let store = TPMChallengeStore(lifetime: 60, keysPerRegistration: 2)
        let srk = try TPMPublicArea(sizedBytes: TPMVectors.storageRootKeyBytes)
        let start = Date(timeIntervalSince1970: 1_000)
        for index in 0..<3 {
            await store.record(registrationId: "Dev", key: [UInt8(index)], storageRootKey: srk, now: start.addingTimeInterval(Double(index)))
        }
        #expect(await store.keys(registrationId: "dev", now: start.addingTimeInterval(5)).map(\.key) == [[2], [1]])
        #expect(await store.keys(registrationId: "dev", now: start.addingTimeInterval(61.5)).map(\.key) == [[2]])
        #expect(await store.keys(registrationId: "dev", now: start.addingTimeInterval(70)).isEmpty)
    }
}
