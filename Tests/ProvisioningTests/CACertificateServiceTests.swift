import ProvisioTestSupport
import Foundation
import Provisioning
import Testing

@Suite struct CACertificateServiceTests {
    @Test func uploadDescribesTheCertificate() async throws {
        let fixture = ServiceFixture()
        let certificates = try TestCertificates()
        let details = try await fixture.service.uploadCACertificate(
            name: "root", certificate: try TestCertificates.pem(certificates.ca), ifMatch: nil)
        #expect(details.info.subjectName == "CN=Provisio Test CA")
        #expect(!details.record.isVerified && details.record.verificationCode == nil)
        #expect(isQuotedUUID(details.record.etag) && isServiceTimestamp(details.record.createdDateTimeUtc))
        #expect(details.record.certificatePEM.hasPrefix("-----BEGIN CERTIFICATE-----"))
        let fromDER = try await fixture.service.uploadCACertificate(
            name: "root-der", certificate: try TestCertificates.base64DER(certificates.ca), ifMatch: nil)
        #expect(fromDER.record.certificatePEM == details.record.certificatePEM)
        #expect(try await fixture.service.caCertificates().map(\.record.name) == ["root", "root-der"])
    }

    @Test func nonCAAndGarbageAreRefused() async throws {
        let fixture = ServiceFixture()
        let leaf = try TestCertificates.selfSignedLeaf(commonName: "not-a-ca")
        let error = await expectProvisioningError(status: 400) {
            _ = try await fixture.service.uploadCACertificate(name: "leaf", certificate: try TestCertificates.pem(leaf), ifMatch: nil)
        }
        #expect(error?.message.contains("not a CA certificate") == true)
        await expectProvisioningError(status: 400) {
            _ = try await fixture.service.uploadCACertificate(name: "junk", certificate: "hello", ifMatch: nil)
        }
        await expectProvisioningError(status: 400) {
            _ = try await fixture.service.uploadCACertificate(name: "empty", certificate: nil, ifMatch: nil)
        }
    }

    @Test func proofOfPossessionWithCASignedLeafVerifies() async throws {
        let fixture = ServiceFixture()
        let certificates = try TestCertificates()
        let uploaded = try await fixture.service.uploadCACertificate(name: "root", certificate: try TestCertificates.pem(certificates.ca), ifMatch: nil)
        let pending = try await fixture.service.generateVerificationCode(name: "root", ifMatch: uploaded.record.etag)
        let code = try #require(pending.record.verificationCode)
        #expect(code.count == 48 && code.allSatisfy { $0.isHexDigit && !$0.isLowercase })
        #expect(pending.record.etag != uploaded.record.etag)

        let proof = try TestCertificates.pem(try certificates.leaf(commonName: code))
        let verified = try await fixture.service.verifyCACertificate(name: "root", certificate: proof, ifMatch: pending.record.etag)
        #expect(verified.record.isVerified && verified.record.verificationCode == nil)
        #expect(verified.record.etag != pending.record.etag)
        #expect(try await fixture.service.caCertificate(name: "ROOT").record.isVerified)
    }

    @Test func selfSignedLeafWithTheRightCNIsRefused() async throws {
        let fixture = ServiceFixture()
        let certificates = try TestCertificates()
        _ = try await fixture.service.uploadCACertificate(name: "root", certificate: try TestCertificates.pem(certificates.ca), ifMatch: nil)
        let code = try #require(try await fixture.service.generateVerificationCode(name: "root", ifMatch: nil).record.verificationCode)
        for forged in [try certificates.impostor(commonName: code), try TestCertificates.selfSignedLeaf(commonName: code)] {
            let error = await expectProvisioningError(status: 400) {
                _ = try await fixture.service.verifyCACertificate(name: "root", certificate: try TestCertificates.pem(forged), ifMatch: nil)
            }
            #expect(error?.message.contains("not signed by the CA") == true)
        }
        let record = try await fixture.service.caCertificate(name: "root").record
        #expect(!record.isVerified && record.verificationCode == code)
    }

    @Test func leafWithTheWrongCNIsRefused() async throws {
        let fixture = ServiceFixture()
        let certificates = try TestCertificates()
        _ = try await fixture.service.uploadCACertificate(name: "root", certificate: try TestCertificates.pem(certificates.ca), ifMatch: nil)
        _ = try await fixture.service.generateVerificationCode(name: "root", ifMatch: nil)
        let wrong = try TestCertificates.pem(try certificates.leaf(commonName: "0123456789ABCDEF"))
        let error = await expectProvisioningError(status: 400) {
            _ = try await fixture.service.verifyCACertificate(name: "root", certificate: wrong, ifMatch: nil)
        }
        #expect(error?.message.contains("does not match the verification code") == true)
        #expect(try await !fixture.service.caCertificate(name: "root").record.isVerified)
    }

    @Test func verifyNeedsAnOutstandingCodeAndCurrentETag() async throws {
        let fixture = ServiceFixture()
        let certificates = try TestCertificates()
        let uploaded = try await fixture.service.uploadCACertificate(name: "root", certificate: try TestCertificates.pem(certificates.ca), ifMatch: nil)
        let proof = try TestCertificates.pem(try certificates.leaf(commonName: "whatever"))
        await expectProvisioningError(status: 400) {
            _ = try await fixture.service.verifyCACertificate(name: "root", certificate: proof, ifMatch: nil)
        }
        _ = try await fixture.service.generateVerificationCode(name: "root", ifMatch: nil)
        await expectProvisioningError(status: 412) {
            _ = try await fixture.service.generateVerificationCode(name: "root", ifMatch: uploaded.record.etag)
        }
        await expectProvisioningError(status: 404) { _ = try await fixture.service.generateVerificationCode(name: "nope", ifMatch: nil) }
    }

    @Test func reuploadKeepsOrResetsVerification() async throws {
        let fixture = ServiceFixture()
        let certificates = try TestCertificates()
        let pem = try TestCertificates.pem(certificates.ca)
        _ = try await fixture.service.uploadCACertificate(name: "root", certificate: pem, isVerified: true, ifMatch: nil)
        let same = try await fixture.service.uploadCACertificate(name: "root", certificate: pem, ifMatch: nil)
        #expect(same.record.isVerified)
        let other = try await fixture.service.uploadCACertificate(
            name: "root", certificate: try TestCertificates.pem(try TestCertificates(caName: "Other CA").ca), ifMatch: nil)
        #expect(!other.record.isVerified && other.record.createdDateTimeUtc == same.record.createdDateTimeUtc)
    }

    @Test func deleteAndNotFound() async throws {
        let fixture = ServiceFixture()
        let uploaded = try await fixture.service.uploadCACertificate(
            name: "root", certificate: try TestCertificates.pem(try TestCertificates().ca), ifMatch: nil)
        await expectProvisioningError(status: 412) { try await fixture.service.deleteCACertificate(name: "root", ifMatch: "\"old\"") }
        try await fixture.service.deleteCACertificate(name: "root", ifMatch: uploaded.record.etag)
        let error = await expectProvisioningError(status: 404) { _ = try await fixture.service.caCertificate(name: "root") }
        #expect(error?.errorCode == 404_204)
        await expectProvisioningError(status: 404) { try await fixture.service.deleteCACertificate(name: "root", ifMatch: nil) }
    }
}
