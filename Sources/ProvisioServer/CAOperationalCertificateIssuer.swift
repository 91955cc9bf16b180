import Foundation
import PKI
import Provisioning
import SwiftASN1
import X509

/// Issues operational device certificates from registration CSRs with the issuing CA and the `device-client`
/// profile; every certificate lands in the inventory with its device and enrollment.
struct CAOperationalCertificateIssuer: OperationalCertificateIssuer {
    let hierarchy: CAHierarchy
    let profile: CertificateProfile

    func issue(csr: [UInt8], registrationId: String, deviceId: String, enrollmentId: String) async throws -> [[UInt8]] {
        let request: CertificateSigningRequest
        do {
            request = try CSRPolicy.parse(derEncoded: csr)
        } catch {
            throw ProvisioningError.badRequest("csr is not an acceptable PKCS#10 request: \(error)")
        }
        let commonName = try? CSRPolicy.commonName(of: request)
        guard commonName == registrationId else {
            throw ProvisioningError.badRequest("the CSR's subject CN must be the registration id")
        }
        let chain: [Certificate]
        do {
            chain = try await hierarchy.issue(csr: request, profile: profile, deviceId: deviceId, enrollmentId: enrollmentId, now: Date())
        } catch let error as PKIError {
            throw ProvisioningError.badRequest("the CSR was refused: \(error.message)")
        }
        return try chain.map { certificate in
            var serializer = DER.Serializer()
            try serializer.serialize(certificate)
            return serializer.serializedBytes
        }
    }
}
