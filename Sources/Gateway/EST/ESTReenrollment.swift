import Foundation
import PKI
import Provisioning
import SwiftASN1
import X509

/// EST `simplereenroll` (RFC 7030 §4.2.2): the client proves itself with the certificate being renewed, over TLS.
///
/// That certificate must be one this CA issued to a device (it is in the inventory, byte for byte), within its
/// validity period, not revoked and from an issuing CA that still verifies; its enrollment must still exist and be enabled; and the new CSR's subject must
/// be the old certificate's. The new certificate goes to the same device and enrollment.
struct ESTReenrollment: Sendable {
    let repository: any EnrollmentRepository
    let inventory: any RevocationStore
    let checker: any PresentedCertificateChecking
    /// The issuing CAs that currently verify (a CA rotation changes them; a retired CA is not among them).
    let issuingCertificates: @Sendable () -> [Certificate]

    /// Refuses (403) a presented chain that is expired, not yet valid or revoked.
    func requireUsable(_ chain: [Certificate], now: Date) async throws {
        let verdict = try await checker.verdict(for: chain, now: now)
        guard verdict.isAcceptable else { throw ESTError.forbidden(verdict.description) }
    }

    /// The client renewing the certificate at the head of `chain` with `csr`.
    func client(presenting chain: [Certificate], csr: ESTCertificationRequest, now: Date) async throws -> ESTClient {
        try await requireUsable(chain, now: now)
        let leaf = chain[0]
        let serial = SerialNumberText.canonical(bytes: leaf.serialNumber.bytes)
        guard let entry = try await inventory.certificateEntry(serialNumber: serial),
              entry.record.derBytes == (try? leaf.serializeAsDER()),
              let deviceId = entry.record.deviceId, let enrollmentId = entry.record.enrollmentId,
              let registrationId = leaf.subject.commonNameText
        else {
            throw ESTError.forbidden("the client certificate was not issued to a device by this CA")
        }
        // Only a certificate from an issuing CA that still verifies renews: after `provisio ca retire` the retired
        // CA's certificates are dead here too, whether or not their chain was presented.
        let anchors = issuingCertificates()
        guard anchors.contains(where: { $0.subject == leaf.issuer }) else {
            throw ESTError.forbidden("the client certificate's issuing CA no longer verifies (retired)")
        }
        let validation = await DeviceChainValidator(trustAnchors: anchors).validate(chain: chain, at: now)
        if case .invalid = validation {
            throw ESTError.forbidden("the client certificate chain does not validate: \(validation.summary)")
        }
        guard String(describing: csr.request.subject) == String(describing: leaf.subject) else {
            throw ESTError.forbidden("the CSR's subject must be the current certificate's subject (\(leaf.subject))")
        }
        try await requireEnabledEnrollment(enrollmentId, registrationId: registrationId)
        return ESTClient(registrationId: registrationId, deviceId: deviceId, enrollmentId: enrollmentId)
    }

    /// The inventory records an individual enrollment by its registration id and a group by its id.
    private func requireEnabledEnrollment(_ enrollmentId: String, registrationId: String) async throws {
        if enrollmentId.lowercased() == registrationId.lowercased(),
           let enrollment = try await repository.individualEnrollment(registrationId: enrollmentId) {
            guard enrollment.provisioningStatus != .disabled else {
                throw ESTError.forbidden("enrollment \(enrollment.registrationId) is disabled")
            }
            return
        }
        if let group = try await repository.enrollmentGroup(id: enrollmentId) {
            guard group.provisioningStatus != .disabled else {
                throw ESTError.forbidden("enrollment group \(group.enrollmentGroupId) is disabled")
            }
            return
        }
        throw ESTError.forbidden("the enrollment \(enrollmentId) no longer exists")
    }
}

extension Certificate {
    /// The DER encoding.
    fileprivate func serializeAsDER() throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(self)
        return serializer.serializedBytes
    }
}
