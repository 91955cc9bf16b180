import AccessControl
import Foundation
import Hub
import PKI
import ProvisioTestSupport
import Provisioning
import Synchronization
import Testing
import X509
@testable import Gateway

/// The re-attestation every register on an open DPS session goes through: what admitted the session at CONNECT is
/// checked again against the enrollment store, the clock and the revocation state of now.
@Suite struct DPSAttestationTests {
    static let idScope = "0ne0012AB34"
    static let connectTime = Date(timeIntervalSince1970: 1_704_067_200)
    static let key = Data(repeating: 0xA1, count: 32).base64EncodedString()

    /// A clock the test moves by hand.
    final class Clock: Sendable {
        private let current = Mutex(DPSAttestationTests.connectTime)
        func now() -> Date { current.withLock { $0 } }
        func advance(by seconds: TimeInterval) { current.withLock { $0 += seconds } }
    }

    /// A revocation checker whose verdict the test sets; counts its calls.
    final class Checker: PresentedCertificateChecking {
        private let state = Mutex((verdict: PresentedCertificateVerdict.acceptable, calls: 0))
        func set(_ verdict: PresentedCertificateVerdict) { state.withLock { $0.verdict = verdict } }
        var calls: Int { state.withLock { $0.calls } }
        func verdict(for chain: [Certificate], now: Date) async throws -> PresentedCertificateVerdict {
            state.withLock { state in
                state.calls += 1
                return state.verdict
            }
        }
    }

    let repository = InMemoryEnrollmentRepository()
    let clock = Clock()
    let checker = Checker()

    var attestation: DPSAttestation {
        let clock = self.clock
        return DPSAttestation(repository: repository, symmetricKeys: SymmetricKeyAttestor(repository: repository, idScope: Self.idScope),
                              certificates: X509Attestor(repository: repository), revocation: checker, now: { clock.now() })
    }

    func enroll(_ registrationId: String, status: ProvisioningStatus = .enabled, key: String = Self.key, etag: String = "e1") async throws {
        var enrollment = IndividualEnrollment(registrationId: registrationId, attestation: AttestationMechanism(
            type: .symmetricKey, symmetricKey: SymmetricKeyAttestation(primaryKey: key, secondaryKey: key)))
        enrollment.provisioningStatus = status
        enrollment.etag = etag
        try await repository.saveIndividualEnrollment(enrollment, expectedETag: nil)
    }

    /// A token valid for `seconds` after CONNECT.
    static func token(_ registrationId: String, validFor seconds: Int64 = 60) throws -> DPSCredential {
        .sharedAccessSignature(SharedAccessSignature.make(
            resource: "\(idScope)/registrations/\(registrationId)", key: try SharedAccessKey(base64: key),
            expiry: Int64(connectTime.timeIntervalSince1970) + seconds, keyName: "registration"))
    }

    func expectRefused(_ registrationId: String, _ credential: DPSCredential, saying text: String,
                       sourceLocation: SourceLocation = #_sourceLocation) async {
        let error = await #expect(throws: ProvisioningError.self, sourceLocation: sourceLocation) {
            try await attestation.attest(registrationId: registrationId, credential: credential, checkRevocation: true)
        }
        #expect(error?.status == 401, sourceLocation: sourceLocation)
        #expect(error?.message.contains(text) == true, "\(error?.message ?? "-")", sourceLocation: sourceLocation)
    }

    @Test func anEnrollmentDisabledAfterConnectRefusesTheNextRegister() async throws {
        try await enroll("dev1")
        let credential = try Self.token("dev1")
        let device = try await attestation.attest(registrationId: "dev1", credential: credential, checkRevocation: false)
        #expect(DPSAttestation.enrollment(of: device) == EnrollmentReference(kind: .individual, id: "DEV1"))
        try await enroll("dev1", status: .disabled)
        await expectRefused("dev1", credential, saying: "disabled")
    }

    @Test func anEnrollmentDeletedAfterConnectRefusesTheNextRegister() async throws {
        try await enroll("dev1")
        let credential = try Self.token("dev1")
        _ = try await attestation.attest(registrationId: "dev1", credential: credential, checkRevocation: true)
        try await repository.deleteIndividualEnrollment(registrationId: "dev1", expectedETag: nil)
        await expectRefused("dev1", credential, saying: "no enrollment")
    }

    @Test func aTokenThatExpiredOnTheOpenSessionRefusesTheNextRegister() async throws {
        try await enroll("dev1")
        let credential = try Self.token("dev1", validFor: 30)
        _ = try await attestation.attest(registrationId: "dev1", credential: credential, checkRevocation: true)
        clock.advance(by: 31)
        await expectRefused("dev1", credential, saying: "expired")
    }

    @Test func aCertificateRevokedAfterConnectIsRefusedBeforeAttestation() async throws {
        let leaf = try TestCertificates.selfSignedLeaf(commonName: "dev1")
        let serial = SerialNumberText.canonical(bytes: leaf.serialNumber.bytes)
        let credential = DPSCredential.certificateChain([leaf])
        #expect(credential.certificateSerial == serial)
        checker.set(.revoked(CertificateRevocation(serialNumber: serial, revocationDate: Self.connectTime, reason: .keyCompromise)))
        await expectRefused("dev1", credential, saying: "revoked")
        #expect(checker.calls == 1)
    }

    @Test func atConnectTheRevocationCheckIsLeftToTheEnforcingAuthenticator() async throws {
        checker.set(.expired(serialNumber: "01"))
        // No enrollment holds the certificate, so attestation refuses it, but without consulting the checker.
        await #expect(throws: ProvisioningError.self) {
            try await attestation.attest(registrationId: "dev1", credential: .certificateChain([
                try TestCertificates.selfSignedLeaf(commonName: "dev1"),
            ]), checkRevocation: false)
        }
        #expect(checker.calls == 0)
    }

    /// What the session's re-attestation reuses and what it does not: an unchanged basis admits at once; a disabled,
    /// re-keyed (new etag) or expired credential goes through the full attestation and is refused there.
    @Test func reattestationReusesOnlyAnUnchangedBasis() async throws {
        try await enroll("dev1")
        let credential = try Self.token("dev1", validFor: 30)
        let expiry = Self.connectTime.addingTimeInterval(30)
        let device = try await attestation.attest(registrationId: "dev1", credential: credential, checkRevocation: false)
        #expect(try await attestation.reattest(device, credential: credential, expiry: expiry) == device)

        try await enroll("dev1", key: Data(repeating: 7, count: 32).base64EncodedString(), etag: "e2")
        await #expect(throws: ProvisioningError.self) { try await attestation.reattest(device, credential: credential, expiry: expiry) }

        try await enroll("dev1", status: .disabled, etag: "e1")
        await #expect(throws: ProvisioningError.self) { try await attestation.reattest(device, credential: credential, expiry: expiry) }

        try await enroll("dev1", etag: "e1")
        #expect(try await attestation.reattest(device, credential: credential, expiry: expiry) == device)
        clock.advance(by: 31)
        await #expect(throws: ProvisioningError.self) { try await attestation.reattest(device, credential: credential, expiry: expiry) }
    }
}
