import Foundation
import Hub
import PKI
import Provisioning
import X509

/// The credential a DPS session was admitted with, kept so every register on the session is attested again.
enum DPSCredential: Sendable {
    /// A SAS token (symmetric-key attestation).
    case sharedAccessSignature(String)
    /// The TLS client chain, leaf first (X.509 attestation).
    case certificateChain([Certificate])

    /// The presented leaf's canonical serial number, if a certificate admitted the session.
    var certificateSerial: String? {
        guard case .certificateChain(let chain) = self, let leaf = chain.first else { return nil }
        return SerialNumberText.canonical(bytes: leaf.serialNumber.bytes)
    }
}

/// Attests a DPS device from its credential: at CONNECT, and again before each register on the open session, so a
/// token that expired, a certificate revoked or an enrollment or group disabled, deleted or re-keyed since CONNECT
/// is refused (401) before anything is done.
struct DPSAttestation: Sendable {
    let repository: any EnrollmentRepository
    let symmetricKeys: SymmetricKeyAttestor
    let certificates: X509Attestor
    /// Checks the presented chain's validity and revocation; nil where no revocation authority serves.
    let revocation: (any PresentedCertificateChecking)?
    let now: @Sendable () -> Date

    /// The attested device, or `ProvisioningError.unauthorized` with the reason. `checkRevocation` is false at
    /// CONNECT, where `RevocationEnforcingAuthenticator` has just checked the chain.
    func attest(registrationId: String, credential: DPSCredential, checkRevocation: Bool) async throws -> AttestedDevice {
        switch credential {
        case .sharedAccessSignature(let token):
            return try await symmetricKeys.attest(registrationId: registrationId, token: token, now: now())
        case .certificateChain(let chain):
            if checkRevocation, let revocation {
                let verdict = try await revocation.verdict(for: chain, now: now())
                guard verdict.isAcceptable else { throw ProvisioningError.unauthorized(verdict.description) }
            }
            return try await certificates.attest(registrationId: registrationId, chain: chain, now: now())
        }
    }

    /// `device` again for a register on its open session. A SAS credential whose token has not expired, attested
    /// through an enrollment whose basis (etag, status, individual precedence) still reads the same, is admitted
    /// without repeating the key lookup and signatures (the costly part with many groups); anything else — a
    /// certificate chain, a changed or missing enrollment — is attested in full.
    func reattest(_ device: AttestedDevice, credential: DPSCredential, expiry: Date?) async throws -> AttestedDevice {
        if case .sharedAccessSignature = credential, device.symmetricKeyResult != nil, let expiry, expiry > now(),
           try await repository.attestationBasis(of: device) == AttestationBasis(attested: device) {
            return device
        }
        return try await attest(registrationId: device.registrationId, credential: credential, checkRevocation: true)
    }

    /// The enrollment or group that attested `device`, as the disablement journal names it.
    static func enrollment(of device: AttestedDevice) -> EnrollmentReference {
        switch device.source {
        case .individual(let enrollment): EnrollmentReference(kind: .individual, id: enrollment.registrationId)
        case .group(let group): EnrollmentReference(kind: .group, id: group.enrollmentGroupId)
        }
    }
}
