import Crypto
import Foundation
import PKI
import SwiftASN1
import Testing
import X509

/// The validator's device-specific behaviour, on chains built in code.
@Suite struct DeviceChainValidatorTests {
    static let now = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

    let rootKey = P256.Signing.PrivateKey()
    let root: Certificate

    init() throws {
        let name = try DistinguishedName { CommonName("Validator Test Root") }
        root = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(rootKey.publicKey),
            notValidBefore: Self.now - 86_400, notValidAfter: Self.now + 86_400 * 365, issuer: name, subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            },
            issuerPrivateKey: .init(rootKey))
    }

    func leaf(subject: DistinguishedName, @ExtensionsBuilder extensions: () throws -> Result<Certificate.Extensions, any Error>) throws -> Certificate {
        try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(P256.Signing.PrivateKey().publicKey),
            notValidBefore: Self.now - 3_600, notValidAfter: Self.now + 86_400, issuer: root.subject, subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256, extensions: try Certificate.Extensions(builder: extensions),
            issuerPrivateKey: .init(rootKey))
    }

    /// A TPM endorsement-key certificate: empty subject, critical SAN with a directoryName of TPM attributes.
    func endorsementKeyCertificate(sanCritical: Bool) throws -> Certificate {
        let tpm = try DistinguishedName([
            RelativeDistinguishedName.Attribute(type: [2, 23, 133, 2, 1], utf8String: "id:00001014"),
            RelativeDistinguishedName.Attribute(type: [2, 23, 133, 2, 2], utf8String: "swtpm"),
            RelativeDistinguishedName.Attribute(type: [2, 23, 133, 2, 3], utf8String: "id:20191023"),
        ])
        return try leaf(subject: DistinguishedName()) {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(keyEncipherment: true))
            if sanCritical {
                Critical(SubjectAlternativeNames([.directoryName(tpm)]))
            } else {
                SubjectAlternativeNames([.directoryName(tpm)])
            }
        }
    }

    @Test func acceptsAnEndorsementKeyCertificateWithACriticalSAN() async throws {
        let validator = DeviceChainValidator(trustAnchors: [root], configuration: .init(requiredLeafKeyUsage: KeyUsage()))
        let result = await validator.validate(chain: [try endorsementKeyCertificate(sanCritical: true)], at: Self.now)
        #expect(result.isValid, "\(result.summary)")
        // RFC 5280 §4.2.1.6: an empty subject needs the SAN to be critical.
        let lax = await validator.validate(chain: [try endorsementKeyCertificate(sanCritical: false)], at: Self.now)
        #expect(!lax.isValid)
    }

    @Test func leafExtendedKeyUsageFollowsThePurpose() async throws {
        let device = try leaf(subject: try DistinguishedName { CommonName("device-1") }) {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(digitalSignature: true))
            try ExtendedKeyUsage([.clientAuth])
        }
        let client = DeviceChainValidator(trustAnchors: [root])
        #expect(await client.validate(chain: [device], at: Self.now).isValid)
        let server = DeviceChainValidator(trustAnchors: [root], configuration: .init(purpose: .serverAuthentication(nil)))
        #expect(await !server.validate(chain: [device], at: Self.now).isValid)
    }

    @Test func refusesAnIssuerWithoutKeyCertSign() async throws {
        let name = try DistinguishedName { CommonName("Signing Only Root") }
        let key = P256.Signing.PrivateKey()
        let signingOnly = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
            notValidBefore: Self.now - 86_400, notValidAfter: Self.now + 86_400, issuer: name, subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(digitalSignature: true))
            },
            issuerPrivateKey: .init(key))
        let device = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(P256.Signing.PrivateKey().publicKey),
            notValidBefore: Self.now - 3_600, notValidAfter: Self.now + 3_600, issuer: name,
            subject: try DistinguishedName { CommonName("device-2") }, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions { Critical(KeyUsage(digitalSignature: true)) },
            issuerPrivateKey: .init(key))
        let result = await DeviceChainValidator(trustAnchors: [signingOnly]).validate(chain: [device], at: Self.now)
        #expect(!result.isValid)
        #expect(result.summary.contains("keyCertSign"), "\(result.summary)")
    }

    @Test func emptyChainDoesNotValidate() async {
        #expect(await !DeviceChainValidator(trustAnchors: [root]).validate(chain: [], at: Self.now).isValid)
    }

    @Test func namesMatchCaselesslyAcrossStringTypes() throws {
        let printable = try DistinguishedName([RelativeDistinguishedName.Attribute(type: .RDNAttributeType.commonName, printableString: "Good  CA")])
        let utf8 = try DistinguishedName([RelativeDistinguishedName.Attribute(type: .RDNAttributeType.commonName, utf8String: " good ca ")])
        #expect(NormalizedName(printable) == NormalizedName(utf8))
        let other = try DistinguishedName { CommonName("Good CA 2") }
        #expect(NormalizedName(printable) != NormalizedName(other))
    }
}
