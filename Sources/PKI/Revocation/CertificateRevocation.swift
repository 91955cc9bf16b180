import Foundation

/// One revoked certificate as a CRL entry and an OCSP `revoked` answer describe it.
public struct CertificateRevocation: Sendable, Equatable {
    /// The serial number in the inventory's form: lowercase hex without a leading `00` padding byte.
    public var serialNumber: String
    /// When it was revoked.
    public var revocationDate: Date
    /// Why.
    public var reason: RevocationReason

    /// Creates an entry.
    public init(serialNumber: String, revocationDate: Date, reason: RevocationReason) {
        self.serialNumber = serialNumber
        self.revocationDate = revocationDate
        self.reason = reason
    }
}
