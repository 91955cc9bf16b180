import Foundation
import Hub
import Provisioning

/// Who a DPS AMQP connection authenticated as, and with what, so every register attests the device again.
struct DPSAMQPIdentity: Sendable {
    /// The credential kinds: those the MQTT session re-attests, and the TPM's SAS (signed with the challenge's key).
    enum Credential: Sendable {
        case standard(DPSCredential)
        case tpm(token: String)
    }

    var registrationId: String
    var credential: Credential
    /// The device as first attested (nil for TPM: its hub key is made at each register).
    var device: AttestedDevice?
    /// The enrollment that admitted the connection (closes it when disabled).
    var enrollment: EnrollmentReference
    /// When the token or certificate stops being valid.
    var expiry: Date?

    /// The presented leaf's serial, for certificate admissions.
    var certificateSerial: String? {
        if case .standard(let credential) = credential { return credential.certificateSerial }
        return nil
    }
}
