import _CryptoExtras
import Crypto
import Foundation
import PKI
@testable import Provisioning
import ProvisioTestSupport
import SwiftASN1
import Testing
import X509

/// A TPM manufacturer CA and EK certificates in the TCG EK Credential Profile's shape (as swtpm's local CA makes
/// them: critical SAN directoryName with the TPM manufacturer, model and version, EKU 2.23.133.8.1, critical
/// KeyUsage keyEncipherment), built in code.
struct TPMManufacturerCA {
    let key: P256.Signing.PrivateKey
    let name: DistinguishedName
    let certificate: Certificate

    init(name commonName: String = "Test TPM Manufacturer Root", now: Date) throws {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName { CommonName(commonName) }
        self.key = key
        self.name = name
        certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now - 86_400, notValidAfter: now + 10 * 365 * 86_400, issuer: name, subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true))
                SubjectKeyIdentifier(hash: .init(key.publicKey))
            },
            issuerPrivateKey: .init(key))
    }

    /// An EK certificate for the RSA key `modulus`/65537 (`ekKey` when given, so tests can certify the wrong key).
    func endorsementKeyCertificate(for ekKey: _RSA.Signing.PublicKey, notBefore: Date, notAfter: Date,
                                   extendedKeyUsage: ExtendedKeyUsage.Usage = .init(oid: [2, 23, 133, 8, 1])) throws -> Certificate {
        let tpmAttributes = DistinguishedName([
            RelativeDistinguishedName([.init(type: [2, 23, 133, 2, 1], utf8String: "id:00001014")]),
            RelativeDistinguishedName([.init(type: [2, 23, 133, 2, 2], utf8String: "swtpm")]),
            RelativeDistinguishedName([.init(type: [2, 23, 133, 2, 3], utf8String: "id:20191023")]),
        ])
        return try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(ekKey),
            notValidBefore: notBefore, notValidAfter: notAfter, issuer: name,
            subject: try DistinguishedName { CommonName("unknown") },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                try ExtendedKeyUsage([extendedKeyUsage])
                Critical(SubjectAlternativeNames([.directoryName(tpmAttributes)]))
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(keyEncipherment: true))
                AuthorityKeyIdentifier(keyIdentifier: try certificate.extensions.subjectKeyIdentifier?.keyIdentifier)
            },
            issuerPrivateKey: .init(key))
    }
}

/// A TPM endorsement key (the public area in the TCG template) whose RSA key swift-crypto made.
struct TestEndorsementKey {
    let rsa = try! _RSA.Signing.PrivateKey(keySize: .bits2048)

    var publicArea: TPMPublicArea {
        let modulus = Array(try! rsa.publicKey.getKeyPrimitives().modulus).drop { $0 == 0 }
        let parameters = TPMRSAParameters(symmetricAlgorithm: .aes, symmetricKeyBits: 128, symmetricMode: .cfb, scheme: .null,
                                          keyBits: 2048, exponent: 0)
        return TPMPublicArea(nameAlgorithm: .sha256, attributes: TPMKeyProfile.endorsementAttributes,
                             authPolicy: TPMKeyProfile.endorsementPolicy, parameters: .rsa(parameters), unique: Array(modulus))
    }

    var base64: String { Data(publicArea.sizedBytes).base64EncodedString() }
}

@Suite("TPM endorsement-key certificates", .serialized)
struct TPMEndorsementKeyCertificateTests {
    let clock = ManualClock()
    let manufacturer: TPMManufacturerCA
    let ek = TestEndorsementKey()

    init() throws {
        manufacturer = try TPMManufacturerCA(now: clock.now())
    }

    func service(requireCertificate: Bool = false, anchors: [Certificate]? = nil) -> (EnrollmentService, InMemoryEnrollmentRepository) {
        let repository = InMemoryEnrollmentRepository()
        let clock = self.clock
        let policy = TPMAttestationPolicy(manufacturerCertificates: anchors ?? [manufacturer.certificate],
                                          requiresEndorsementKeyCertificate: requireCertificate)
        return (EnrollmentService(repository: repository, linkedHubHostNames: ["hub1.provisio.test"], now: { clock.now() },
                                  tpmPolicy: policy), repository)
    }

    func certificate(for key: TestEndorsementKey? = nil, issuer: TPMManufacturerCA? = nil, lifetime: TimeInterval = 365 * 86_400) throws -> String {
        let certificate = try (issuer ?? manufacturer).endorsementKeyCertificate(
            for: (key ?? ek).rsa.publicKey, notBefore: clock.now() - 60, notAfter: clock.now() + lifetime)
        return try TestCertificates.base64DER(certificate)
    }

    func enrollment(_ id: String, certificate: String?, require: Bool? = nil) -> IndividualEnrollment {
        IndividualEnrollment(registrationId: id, attestation: AttestationMechanism(type: .tpm, tpm: TPMAttestation(
            endorsementKey: ek.base64, endorsementKeyCertificate: certificate, requireEndorsementKeyCertificate: require)))
    }

    func put(_ service: EnrollmentService, _ enrollment: IndividualEnrollment) async throws -> IndividualEnrollment {
        try await service.createOrUpdateIndividualEnrollment(registrationId: enrollment.registrationId, enrollment, ifMatch: nil)
    }

    @Test("an EK certificate from a trusted manufacturer for the enrolled EK is accepted and stored")
    func matchingCertificate() async throws {
        let (service, _) = service(requireCertificate: true)
        let certificate = try certificate()
        let stored = try await put(service, enrollment("ek-ok", certificate: certificate))
        #expect(stored.attestation.tpm?.endorsementKeyCertificate == certificate)
        // PEM is accepted too.
        let pem = try manufacturer.endorsementKeyCertificate(for: ek.rsa.publicKey, notBefore: clock.now() - 60, notAfter: clock.now() + 600)
        _ = try await put(service, enrollment("ek-pem", certificate: try TestCertificates.pem(pem)))
    }

    @Test("refusals with a clear 400: another TPM's key, an untrusted CA, expired, missing when required, not a certificate")
    func refusals() async throws {
        let (service, _) = service()
        let other = await expectProvisioningError(status: 400) {
            _ = try await put(service, enrollment("ek-other", certificate: try certificate(for: TestEndorsementKey())))
        }
        #expect(other?.message.contains("certifies a different key than the enrolled endorsement key") == true)

        let untrusted = await expectProvisioningError(status: 400) {
            _ = try await put(service, enrollment("ek-untrusted", certificate: try certificate(issuer: try TPMManufacturerCA(name: "Rogue", now: clock.now()))))
        }
        #expect(untrusted?.message.contains("does not chain to a trusted TPM manufacturer CA") == true)

        let expired = await expectProvisioningError(status: 400) {
            let old = try manufacturer.endorsementKeyCertificate(for: ek.rsa.publicKey, notBefore: clock.now() - 7200, notAfter: clock.now() - 3600)
            _ = try await put(service, enrollment("ek-expired", certificate: try TestCertificates.base64DER(old)))
        }
        #expect(expired?.message.contains("attestation.tpm.endorsementKeyCertificate expired at") == true)

        let flagged = await expectProvisioningError(status: 400) {
            _ = try await put(service, enrollment("ek-flag", certificate: nil, require: true))
        }
        #expect(flagged?.message.contains("attestation.tpm.endorsementKeyCertificate is required") == true)

        let garbage = await expectProvisioningError(status: 400) {
            _ = try await put(service, enrollment("ek-garbage", certificate: "bm90IGEgY2VydGlmaWNhdGU="))
        }
        #expect(garbage?.message.contains("is not a valid certificate") == true)

        // Without the flag or the policy a TPM enrollment needs no certificate.
        _ = try await put(service, enrollment("ek-none", certificate: nil))

        let (strict, _) = self.service(requireCertificate: true)
        let required = await expectProvisioningError(status: 400) { _ = try await put(strict, enrollment("ek-required", certificate: nil)) }
        #expect(required?.message.contains("is required") == true)

        let (unconfigured, _) = self.service(anchors: [])
        let nothingToCheck = await expectProvisioningError(status: 400) {
            _ = try await put(unconfigured, enrollment("ek-unconfigured", certificate: try certificate()))
        }
        #expect(nothingToCheck?.message.contains("no TPM manufacturer CA is configured") == true)
    }

    @Test("an update with the same EK and no certificate (as the Azure SDK sends it) keeps the stored certificate")
    func updateKeepsCertificate() async throws {
        let (service, repository) = service()
        let certificate = try certificate()
        _ = try await put(service, enrollment("ek-keep", certificate: certificate, require: true))
        var update = enrollment("ek-keep", certificate: nil)
        update.provisioningStatus = .disabled
        _ = try await put(service, update)
        let stored = try #require(try await repository.individualEnrollment(registrationId: "ek-keep"))
        #expect(stored.provisioningStatus == .disabled)
        #expect(stored.attestation.tpm?.endorsementKeyCertificate == certificate)
        #expect(stored.attestation.tpm?.requireEndorsementKeyCertificate == true)
    }

    @Test("registration checks again: no challenge once the certificate expired or when the policy now requires one")
    func checkedAtRegistration() async throws {
        let (service, repository) = service()
        _ = try await put(service, enrollment("ek-reg", certificate: try certificate(lifetime: 3600)))
        _ = try await put(service, enrollment("ek-bare", certificate: nil))
        let policy = TPMAttestationPolicy(manufacturerCertificates: [manufacturer.certificate], requiresEndorsementKeyCertificate: true)
        let attestor = TPMAttestor(repository: repository, idScope: "0ne00000001", policy: policy)
        let storageRootKey = Data(TestEndorsementKey().publicArea.sizedBytes).base64EncodedString()
        // A storage root key in the EK template still has restricted|decrypt, which is all the challenge needs of it.
        _ = try await attestor.challenge(registrationId: "ek-reg", endorsementKey: ek.base64, storageRootKey: storageRootKey, now: clock.now())

        let missing = await expectProvisioningError(status: 401) {
            _ = try await attestor.challenge(registrationId: "ek-bare", endorsementKey: ek.base64, storageRootKey: storageRootKey, now: clock.now())
        }
        #expect(missing?.message.contains("endorsementKeyCertificate is required") == true)

        clock.advance(by: 7200)
        let expired = await expectProvisioningError(status: 401) {
            _ = try await attestor.challenge(registrationId: "ek-reg", endorsementKey: ek.base64, storageRootKey: storageRootKey, now: clock.now())
        }
        #expect(expired?.message.contains("the enrollment's endorsementKeyCertificate expired") == true)
    }

    @Test("the validator accepts EK certificates only for the EK purpose, and requires the TCG EKU for it")
    func validatorPurpose() async throws {
        let certificate = try manufacturer.endorsementKeyCertificate(for: ek.rsa.publicKey, notBefore: clock.now() - 60, notAfter: clock.now() + 600)
        let ekPurpose = DeviceChainValidator(trustAnchors: [manufacturer.certificate], configuration: .init(
            purpose: .tpmEndorsementKey, requiredLeafKeyUsage: KeyUsage(keyEncipherment: true)))
        #expect(await ekPurpose.validate(leaf: certificate, intermediates: [], at: clock.now()).isValid)

        let asDevice = DeviceChainValidator(trustAnchors: [manufacturer.certificate])
        let refused = await asDevice.validate(leaf: certificate, intermediates: [], at: clock.now())
        #expect(!refused.isValid, "an EK certificate is no TLS client certificate")

        let clientCertificate = try manufacturer.endorsementKeyCertificate(for: ek.rsa.publicKey, notBefore: clock.now() - 60,
                                                                           notAfter: clock.now() + 600, extendedKeyUsage: .clientAuth)
        let wrongUsage = await ekPurpose.validate(leaf: clientCertificate, intermediates: [], at: clock.now())
        #expect(!wrongUsage.isValid)
        #expect(wrongUsage.summary.contains("ExtendedKeyUsagePolicy"))
    }
}
