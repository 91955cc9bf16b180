import ProvisioTestSupport
import Foundation
import Provisioning
import Testing

@Suite struct EnrollmentServiceX509Tests {
    @Test func clientCertificatesGetInfo() async throws {
        let fixture = ServiceFixture()
        let certificates = try TestCertificates()
        let leaf = try certificates.leaf(commonName: "x509-dev")
        let pem = try TestCertificates.pem(leaf)
        let enrollment = IndividualEnrollment(registrationId: "x509-dev", attestation: .init(type: .x509, x509: X509Attestation(
            clientCertificates: X509Certificates(primary: .init(certificate: pem),
                                                 secondary: .init(certificate: try TestCertificates.base64DER(leaf))))))
        let stored = try await fixture.put(enrollment)
        let primary = try #require(stored.attestation.x509?.clientCertificates?.primary)
        #expect(primary.certificate == pem)
        let info = try #require(primary.info)
        #expect(info.subjectName == "CN=x509-dev")
        #expect(info.issuerName == "CN=Provisio Test CA")
        #expect(info.sha1Thumbprint.count == 40 && info.sha1Thumbprint == info.sha1Thumbprint.uppercased())
        #expect(info.sha256Thumbprint.count == 64 && info.sha256Thumbprint == info.sha256Thumbprint.uppercased())
        #expect(info.version == 3)
        #expect(stored.attestation.x509?.clientCertificates?.secondary?.info == info)
    }

    @Test func unparsableOrMisplacedCertificatesAreRefused() async throws {
        let fixture = ServiceFixture()
        let garbage = IndividualEnrollment(registrationId: "x1", attestation: .init(type: .x509, x509: X509Attestation(
            clientCertificates: X509Certificates(primary: .init(certificate: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----")))))
        let error = await expectProvisioningError(status: 400) { try await fixture.put(garbage) }
        #expect(error?.message.contains("clientCertificates.primary.certificate") == true)
        let noPrimary = IndividualEnrollment(registrationId: "x2", attestation: .init(type: .x509, x509: X509Attestation(
            clientCertificates: X509Certificates(primary: nil))))
        await expectProvisioningError(status: 400) { try await fixture.put(noPrimary) }
        let noMember = IndividualEnrollment(registrationId: "x3", attestation: .init(type: .x509))
        await expectProvisioningError(status: 400) { try await fixture.put(noMember) }
        let pem = try TestCertificates.pem(try TestCertificates().ca)
        let signing = IndividualEnrollment(registrationId: "x4", attestation: .init(type: .x509, x509: X509Attestation(
            signingCertificates: X509Certificates(primary: .init(certificate: pem)))))
        await expectProvisioningError(status: 400) { try await fixture.put(signing) }
        let clientGroup = EnrollmentGroup(enrollmentGroupId: "g1", attestation: .init(type: .x509, x509: X509Attestation(
            clientCertificates: X509Certificates(primary: .init(certificate: pem)))))
        await expectProvisioningError(status: 400) {
            _ = try await fixture.service.createOrUpdateEnrollmentGroup(id: "g1", clientGroup, ifMatch: nil)
        }
    }

    @Test func groupSigningCertificatesAndCAReferences() async throws {
        let fixture = ServiceFixture()
        let certificates = try TestCertificates()
        let pem = try TestCertificates.pem(certificates.ca)
        let signing = EnrollmentGroup(enrollmentGroupId: "signing", attestation: .init(type: .x509, x509: X509Attestation(
            signingCertificates: X509Certificates(primary: .init(certificate: pem)))))
        let stored = try await fixture.service.createOrUpdateEnrollmentGroup(id: "signing", signing, ifMatch: nil)
        #expect(stored.attestation.x509?.signingCertificates?.primary?.info?.subjectName == "CN=Provisio Test CA")

        let referencing = EnrollmentGroup(enrollmentGroupId: "ca-ref", attestation: .init(type: .x509, x509: X509Attestation(
            caReferences: X509CAReferences(primary: "root-ca"))))
        let error = await expectProvisioningError(status: 400) {
            _ = try await fixture.service.createOrUpdateEnrollmentGroup(id: "ca-ref", referencing, ifMatch: nil)
        }
        #expect(error?.message.contains("root-ca") == true)
        _ = try await fixture.service.uploadCACertificate(name: "root-ca", certificate: pem, ifMatch: nil)
        let accepted = try await fixture.service.createOrUpdateEnrollmentGroup(id: "ca-ref", referencing, ifMatch: nil)
        #expect(accepted.attestation.x509?.caReferences?.primary == "root-ca")
        var withSecondary = referencing
        withSecondary.attestation.x509?.caReferences?.secondary = "missing-ca"
        await expectProvisioningError(status: 400) {
            _ = try await fixture.service.createOrUpdateEnrollmentGroup(id: "ca-ref", withSecondary, ifMatch: nil)
        }
    }
}
