import _CryptoExtras
import BigInt
import Foundation
import PKI
import X509

/// Checks a TPM's endorsement-key certificate: it must chain to a TPM manufacturer CA of the policy (our chain
/// validator, with the EK purpose: critical SAN directoryName, EKU `tcg-kp-EKCertificate`, KeyUsage
/// keyEncipherment), be valid now, and certify exactly the enrolled EK (same RSA modulus and exponent).
///
/// Binding the certificate to the EK is what makes it evidence: the certificate says a manufacturer made a TPM with
/// this key, and the credential challenge proves the device holds that TPM.
public struct TPMEndorsementKeyCertificateCheck: Sendable {
    /// The policy with the manufacturer CAs.
    public let policy: TPMAttestationPolicy

    /// Creates a check for `policy`.
    public init(policy: TPMAttestationPolicy) {
        self.policy = policy
    }

    /// Why `attestation` (whose EK is `endorsementKey`) fails the policy at `time`, or nil when it passes: a required
    /// certificate is missing, or the one given does not verify. `field` names the certificate in the message.
    public func problem(_ attestation: TPMAttestation, endorsementKey: TPMPublicArea, at time: Date,
                        field: String = "tpm.endorsementKeyCertificate") async -> String? {
        guard let text = attestation.endorsementKeyCertificate, !text.allSatisfy(\.isWhitespace) else {
            return policy.requiresCertificate(attestation)
                ? "\(field) is required: TPM enrollments must carry the TPM's endorsement key certificate" : nil
        }
        guard let certificate = CertificateText.parse(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            return "\(field) is not a valid certificate (expected Base64 DER or PEM)"
        }
        return await problem(certificate, endorsementKey: endorsementKey, at: time, field: field)
    }

    /// Why `certificate` is not a valid EK certificate for `endorsementKey` at `time`, or nil.
    public func problem(_ certificate: Certificate, endorsementKey: TPMPublicArea, at time: Date,
                        field: String = "tpm.endorsementKeyCertificate") async -> String? {
        if let mismatch = Self.keyMismatch(certificate, endorsementKey: endorsementKey) { return "\(field) \(mismatch)" }
        // Said plainly here; the chain validator would also refuse it, in its own words.
        if time >= certificate.notValidAfter { return "\(field) expired at \(certificate.notValidAfter)" }
        if time < certificate.notValidBefore { return "\(field) is not valid before \(certificate.notValidBefore)" }
        guard !policy.manufacturerCertificates.isEmpty else {
            return "\(field) cannot be checked: no TPM manufacturer CA is configured (dps.tpmAttestationPolicy)"
        }
        let validator = DeviceChainValidator(
            trustAnchors: policy.manufacturerCertificates,
            configuration: .init(purpose: .tpmEndorsementKey, requiredLeafKeyUsage: KeyUsage(keyEncipherment: true)))
        let result = await validator.validate(leaf: certificate, intermediates: [], at: time)
        guard result.isValid else {
            return "\(field) does not chain to a trusted TPM manufacturer CA: \(result.summary)"
        }
        return nil
    }

    /// Why the certificate's key is not the EK's RSA key, or nil.
    static func keyMismatch(_ certificate: Certificate, endorsementKey: TPMPublicArea) -> String? {
        guard let rsa = endorsementKey.rsaParameters else { return "cannot match an endorsement key that is not RSA" }
        guard let certified = _RSA.Signing.PublicKey(certificate.publicKey),
              let primitives = try? certified.getKeyPrimitives()
        else { return "does not certify an RSA key" }
        guard BigUInt(primitives.modulus) == BigUInt(Data(endorsementKey.unique)),
              BigUInt(primitives.publicExponent) == BigUInt(rsa.effectiveExponent)
        else { return "certifies a different key than the enrolled endorsement key" }
        return nil
    }
}
