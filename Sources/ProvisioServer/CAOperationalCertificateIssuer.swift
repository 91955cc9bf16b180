import Foundation
import Logging
import PKI
import Provisioning
import SwiftASN1
import X509

/// Issues operational device certificates from registration CSRs with the issuing CA active at the time (it changes
/// with a CA rotation), under the enrollment's issuance policy (`Policies/issuance.yaml`: profile, validity, key
/// types, SANs); every certificate lands in the inventory with its device and enrollment. Once the new certificate
/// is the device's for good, the caller has the earlier ones superseded: linked to the new one, and kept or revoked
/// (`superseded`) per the policy.
struct CAOperationalCertificateIssuer: OperationalCertificateIssuer {
    let authorities: LiveCertificateAuthorities
    let policies: IssuancePolicySet
    let succession: (any CertificateSuccessionStore)?
    let revocation: RevocationAuthority?
    let logger: Logger

    /// Creates the issuer; without `succession` earlier certificates are left alone, without `revocation` never revoked.
    init(authorities: LiveCertificateAuthorities, policies: IssuancePolicySet, succession: (any CertificateSuccessionStore)? = nil,
         revocation: RevocationAuthority? = nil, logger: Logger = Logger(label: "provisio.issuance")) {
        self.authorities = authorities
        self.policies = policies
        self.succession = succession
        self.revocation = revocation
        self.logger = logger
    }

    func issue(_ issuance: OperationalCertificateRequest) async throws -> [[UInt8]] {
        let request: CertificateSigningRequest
        do {
            request = try CSRPolicy.parse(derEncoded: issuance.csr)
        } catch let error as PKIError {
            throw ProvisioningError.badRequest("csr is not an acceptable PKCS#10 request: \(error.message)")
        }
        let commonName = try? CSRPolicy.commonName(of: request)
        guard commonName == issuance.registrationId else {
            throw ProvisioningError.badRequest("the CSR's subject CN must be the registration id")
        }
        let policy = policies.policy(enrollmentGroupId: issuance.enrollmentGroupId, registrationId: issuance.registrationId)
        let now = Date()
        let chain: [Certificate]
        do {
            let names = try policy.check(request, registrationId: issuance.registrationId, deviceId: issuance.deviceId)
            chain = try await authorities.hierarchy(at: now).issue(
                csr: request, profile: policy.profile, deviceId: issuance.deviceId, enrollmentId: issuance.enrollmentId,
                subjectAlternativeNames: names, now: now)
        } catch let error as PKIError {
            throw ProvisioningError.badRequest("the CSR was refused by issuance policy '\(policy.name)': \(error.message)")
        }
        return try chain.map { certificate in
            var serializer = DER.Serializer()
            try serializer.serialize(certificate)
            return serializer.serializedBytes
        }
    }

    /// Links the device's other current certificates to `leaf` and, when the policy says so, revokes them with
    /// reason `superseded` (which also closes connections that use them and reissues the CRL).
    func supersedePredecessors(ofLeaf leaf: [UInt8], request: OperationalCertificateRequest) async throws {
        let successor: Certificate
        do {
            successor = try Certificate(derEncoded: leaf)
        } catch {
            throw ProvisioningError.internalError()
        }
        let policy = policies.policy(enrollmentGroupId: request.enrollmentGroupId, registrationId: request.registrationId)
        try await supersedePredecessors(of: successor, deviceId: request.deviceId, behaviour: policy.policy.onRenewal, now: Date())
    }

    private func supersedePredecessors(of successor: Certificate, deviceId: String, behaviour: RenewalBehaviour, now: Date) async throws {
        guard let succession else { return }
        let serial = SerialNumberText.canonical(bytes: successor.serialNumber.bytes)
        let previous = try await succession.currentCertificates(deviceId: deviceId, excluding: serial, now: now).map(\.serialNumber)
        guard !previous.isEmpty else { return }
        try await succession.markSuperseded(previous, by: serial)
        logger.info("certificates superseded", metadata: [
            "hub.device_id": "\(deviceId)", "pki.serial": "\(serial)", "pki.superseded": "\(previous.joined(separator: ","))",
            "pki.renewal": "\(behaviour.rawValue)",
        ])
        guard behaviour == .revoke, let revocation else { return }
        for old in previous {
            _ = try await revocation.revoke(.serialNumber(old), reason: .superseded, now: now)
        }
    }
}
