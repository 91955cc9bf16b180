import ProvisioTestSupport
import Foundation
import Provisioning
import Testing
import X509

@Suite struct X509AttestorTests {
    static let now = X509ChainFixture.now

    let repository = InMemoryEnrollmentRepository()
    let certificates: X509ChainFixture
    var attestor: X509Attestor { X509Attestor(repository: repository) }

    init() throws { certificates = try X509ChainFixture() }

    func enroll(_ registrationId: String, primary: Certificate, secondary: Certificate? = nil, status: ProvisioningStatus = .enabled) async throws {
        var enrollment = IndividualEnrollment(registrationId: registrationId, attestation: AttestationMechanism(type: .x509, x509: X509Attestation(
            clientCertificates: X509Certificates(primary: .init(certificate: try X509ChainFixture.pem(primary)),
                                                 secondary: try secondary.map { .init(certificate: try X509ChainFixture.pem($0)) }))))
        enrollment.provisioningStatus = status
        try await repository.saveIndividualEnrollment(enrollment, expectedETag: nil)
    }

    func enrollGroup(_ id: String, signing: Certificate, status: ProvisioningStatus = .enabled) async throws {
        var group = EnrollmentGroup(enrollmentGroupId: id, attestation: AttestationMechanism(type: .x509, x509: X509Attestation(
            signingCertificates: X509Certificates(primary: .init(certificate: try X509ChainFixture.pem(signing))))))
        group.provisioningStatus = status
        try await repository.saveEnrollmentGroup(group, expectedETag: nil)
    }

    func enrollGroup(_ id: String, caReference: String, status: ProvisioningStatus = .enabled) async throws {
        var group = EnrollmentGroup(enrollmentGroupId: id, attestation: AttestationMechanism(type: .x509, x509: X509Attestation(
            caReferences: X509CAReferences(primary: caReference))))
        group.provisioningStatus = status
        try await repository.saveEnrollmentGroup(group, expectedETag: nil)
    }

    func upload(_ name: String, _ certificate: Certificate, verified: Bool) async throws {
        try await repository.saveCACertificate(CACertificate(
            name: name, certificatePEM: try X509ChainFixture.pem(certificate), isVerified: verified, verificationCode: verified ? nil : "ABC123",
            etag: "\"1\"", createdDateTimeUtc: "2024-01-01T00:00:00.0000000Z", lastUpdatedDateTimeUtc: "2024-01-01T00:00:00.0000000Z"),
            expectedETag: nil)
    }

    @discardableResult
    func expectRefused(_ registrationId: String, chain: [Certificate], now: Date = now,
                       sourceLocation: SourceLocation = #_sourceLocation) async -> ProvisioningError? {
        let error = await #expect(throws: ProvisioningError.self, sourceLocation: sourceLocation) {
            try await attestor.attest(registrationId: registrationId, chain: chain, now: now)
        }
        #expect(error?.status == 401, sourceLocation: sourceLocation)
        #expect(error?.errorCode == 401_002, sourceLocation: sourceLocation)
        return error
    }

    // MARK: Individual enrollments

    @Test func individualEnrollmentMatchesTheLeafThumbprint() async throws {
        let leaf = try certificates.selfSigned("x509-dev")
        try await enroll("x509-dev", primary: leaf)
        let device = try await attestor.attest(registrationId: "x509-dev", chain: [leaf], now: Self.now)
        guard case .individual(let enrollment) = device.source else { Issue.record("not individual: \(device.source)"); return }
        #expect(enrollment.registrationId == "x509-dev")
        #expect(device.hubAuthentication == .selfSigned(primaryThumbprint: CertificateFingerprint.sha1(leaf), secondaryThumbprint: nil))
        #expect(device.x509Result == X509RegistrationResult(certificateInfo: X509CertificateInfo(leaf), enrollmentGroupId: nil,
                                                            signingCertificateInfo: nil))
    }

    @Test func individualEnrollmentMatchesTheSecondaryCertificate() async throws {
        let old = try certificates.selfSigned("x509-dev")
        let new = try certificates.leaf("x509-dev")
        try await enroll("x509-dev", primary: old, secondary: new)
        let device = try await attestor.attest(registrationId: "x509-dev", chain: [new, certificates.intermediate], now: Self.now)
        #expect(device.hubAuthentication == .selfSigned(primaryThumbprint: CertificateFingerprint.sha1(old),
                                                        secondaryThumbprint: CertificateFingerprint.sha1(new)))
    }

    @Test func individualEnrollmentRefusesAnotherLeafWithTheSameName() async throws {
        try await enroll("x509-dev", primary: try certificates.selfSigned("x509-dev"))
        // Even one a trusted group CA issued: the individual enrollment decides.
        try await enrollGroup("line-1", signing: certificates.intermediate)
        let error = await expectRefused("x509-dev", chain: [try certificates.leaf("x509-dev"), certificates.intermediate])
        #expect(error?.message.contains("not the one enrolled") == true)
        await expectRefused("x509-dev", chain: [try certificates.selfSigned("x509-dev")])
    }

    @Test func individualEnrollmentRefusesAnExpiredOrNotYetValidLeaf() async throws {
        let expired = try certificates.selfSigned("old-dev", validity: (Self.now - 86_400 * 30)...(Self.now - 1))
        try await enroll("old-dev", primary: expired)
        let error = await expectRefused("old-dev", chain: [expired])
        #expect(error?.message.contains("not valid at this time") == true)
        let future = try certificates.selfSigned("new-dev", validity: (Self.now + 60)...(Self.now + 86_400))
        try await enroll("new-dev", primary: future)
        await expectRefused("new-dev", chain: [future])
    }

    @Test func individualEnrollmentRefusesALeafWithoutClientAuthentication() async throws {
        let serverOnly = try certificates.selfSigned("server-dev", usages: [.serverAuth])
        try await enroll("server-dev", primary: serverOnly)
        let error = await expectRefused("server-dev", chain: [serverOnly])
        #expect(error?.message.contains("client authentication") == true)
    }

    @Test func disabledIndividualEnrollmentRefuses() async throws {
        let leaf = try certificates.selfSigned("x509-dev")
        try await enroll("x509-dev", primary: leaf, status: .disabled)
        await expectRefused("x509-dev", chain: [leaf])
    }

    // MARK: Groups

    @Test func groupTrustsItsIntermediateSigningCertificate() async throws {
        try await enrollGroup("line-1", signing: certificates.intermediate)
        let leaf = try certificates.leaf("member-1")
        let device = try await attestor.attest(registrationId: "member-1", chain: [leaf, certificates.intermediate], now: Self.now)
        guard case .group(let group) = device.source else { Issue.record("not a group: \(device.source)"); return }
        #expect(group.enrollmentGroupId == "line-1")
        #expect(device.hubAuthentication == .certificateAuthority)
        #expect(device.x509Result == X509RegistrationResult(certificateInfo: X509CertificateInfo(leaf), enrollmentGroupId: "line-1",
                                                            signingCertificateInfo: X509CertificateInfo(certificates.intermediate)))
        // Without the intermediate in the handshake: its issuer is still the group's certificate.
        let alone = try await attestor.attest(registrationId: "member-1", chain: [leaf], now: Self.now)
        #expect(alone.x509Result?.enrollmentGroupId == "line-1")
    }

    @Test func groupTrustsAVerifiedCAReference() async throws {
        try await upload("root-ca", certificates.root, verified: true)
        try await enrollGroup("fleet", caReference: "root-ca")
        let leaf = try certificates.leaf("member-2")
        let device = try await attestor.attest(registrationId: "member-2", chain: [leaf, certificates.intermediate], now: Self.now)
        #expect(device.x509Result?.enrollmentGroupId == "fleet")
        #expect(device.x509Result?.signingCertificateInfo == X509CertificateInfo(certificates.root))
        #expect(try await attestor.isTrusted(chain: [leaf, certificates.intermediate], extraAnchors: [], now: Self.now))
    }

    @Test func unverifiedCAReferenceIsNotTrusted() async throws {
        try await upload("root-ca", certificates.root, verified: false)
        try await enrollGroup("fleet", caReference: "root-ca")
        let leaf = try certificates.leaf("member-2")
        await expectRefused("member-2", chain: [leaf, certificates.intermediate])
        #expect(try await !attestor.isTrusted(chain: [leaf, certificates.intermediate], extraAnchors: [], now: Self.now))
    }

    @Test func disabledGroupRefuses() async throws {
        try await enrollGroup("line-1", signing: certificates.intermediate, status: .disabled)
        let error = await expectRefused("member-1", chain: [try certificates.leaf("member-1"), certificates.intermediate])
        #expect(error?.message.contains("disabled") == true)
    }

    @Test func firstMatchingGroupUpTheChainWins() async throws {
        // "a-root" sorts first, but the intermediate is met first walking up from the leaf.
        try await enrollGroup("a-root", signing: certificates.root)
        try await enrollGroup("z-intermediate", signing: certificates.intermediate)
        let leaf = try certificates.leaf("member-3")
        let device = try await attestor.attest(registrationId: "member-3", chain: [leaf, certificates.intermediate, certificates.root], now: Self.now)
        #expect(device.x509Result?.enrollmentGroupId == "z-intermediate")
        #expect(device.x509Result?.signingCertificateInfo == X509CertificateInfo(certificates.intermediate))
    }

    @Test func disabledFirstMatchingGroupRefusesEvenWhenAHigherGroupTrustsTheChain() async throws {
        try await enrollGroup("a-root", signing: certificates.root)
        try await enrollGroup("z-intermediate", signing: certificates.intermediate, status: .disabled)
        await expectRefused("member-3", chain: [try certificates.leaf("member-3"), certificates.intermediate, certificates.root])
    }

    @Test func commonNameMustBeTheRegistrationId() async throws {
        try await enrollGroup("line-1", signing: certificates.intermediate)
        let error = await expectRefused("member-9", chain: [try certificates.leaf("member-1"), certificates.intermediate])
        #expect(error?.message.contains("CN") == true)
        await expectRefused("MEMBER-1", chain: [try certificates.leaf("member-1"), certificates.intermediate])
        await expectRefused("member-1", chain: [])
    }

    @Test func groupRefusesExpiredAndServerOnlyLeaves() async throws {
        try await enrollGroup("line-1", signing: certificates.intermediate)
        let expired = try certificates.leaf("member-4", validity: (Self.now - 86_400 * 30)...(Self.now - 1))
        await expectRefused("member-4", chain: [expired, certificates.intermediate])
        let serverOnly = try certificates.leaf("member-5", usages: [.serverAuth])
        await expectRefused("member-5", chain: [serverOnly, certificates.intermediate])
    }

    @Test func groupRefusesChainsItDidNotIssue() async throws {
        try await enrollGroup("line-1", signing: certificates.intermediate)
        let stranger = try X509ChainFixture(rootName: "Other Root")
        await expectRefused("member-6", chain: [try stranger.leaf("member-6"), stranger.intermediate])
        // A leaf claiming the intermediate as issuer but signed by another key, with the real intermediate alongside.
        let forged = try stranger.leaf("member-7")
        let impostor = try Certificate(
            version: .v3, serialNumber: forged.serialNumber, publicKey: forged.publicKey,
            notValidBefore: forged.notValidBefore, notValidAfter: forged.notValidAfter, issuer: certificates.intermediate.subject,
            subject: forged.subject, signatureAlgorithm: .ecdsaWithSHA256, extensions: forged.extensions,
            issuerPrivateKey: .init(stranger.intermediateKey))
        let error = await expectRefused("member-7", chain: [impostor, certificates.intermediate])
        #expect(error?.message.contains("does not validate") == true)
    }
}
