import Foundation
import SwiftASN1
import X509

/// What the inventory keeps about one issued certificate.
public struct IssuedCertificateRecord: Sendable, Equatable {
    /// Lowercase hex without colons or a leading `00` padding byte, as `openssl x509 -serial` prints it lowercased.
    public var serialNumber: String
    /// The subject DN as an RFC 4514-style string, most specific first (`CN=device-1,O=Provisio`).
    public var subject: String
    /// The issuer DN in the same form.
    public var issuer: String
    /// The name of the profile the certificate was issued under.
    public var profile: String
    /// The start of the validity period.
    public var notBefore: Date
    /// The end of the validity period.
    public var notAfter: Date
    /// The lifecycle state.
    public var status: CertificateStatus
    /// The device the certificate was issued to, if any.
    public var deviceId: String?
    /// The enrollment (individual or group) it was issued under, if any.
    public var enrollmentId: String?
    /// The certificate's DER encoding.
    public var derBytes: [UInt8]

    /// A record for a newly issued `certificate`, with status `active`.
    public init(certificate: Certificate, profile: String, deviceId: String? = nil, enrollmentId: String? = nil) {
        self.serialNumber = certificate.serialNumberHex
        self.subject = String(describing: certificate.subject)
        self.issuer = String(describing: certificate.issuer)
        self.profile = profile
        self.notBefore = certificate.notValidBefore
        self.notAfter = certificate.notValidAfter
        self.status = .active
        self.deviceId = deviceId
        self.enrollmentId = enrollmentId
        // Serialising a Certificate only re-emits the bytes it was built or parsed from, so it cannot fail.
        self.derBytes = (try? certificate.derBytes()) ?? []
    }

    /// A record from stored fields, for inventory back ends that load rows.
    public init(
        serialNumber: String,
        subject: String,
        issuer: String,
        profile: String,
        notBefore: Date,
        notAfter: Date,
        status: CertificateStatus,
        deviceId: String?,
        enrollmentId: String?,
        derBytes: [UInt8]
    ) {
        self.serialNumber = serialNumber
        self.subject = subject
        self.issuer = issuer
        self.profile = profile
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.status = status
        self.deviceId = deviceId
        self.enrollmentId = enrollmentId
        self.derBytes = derBytes
    }

    /// The stored certificate, parsed from `derBytes`.
    public func certificate() throws -> Certificate {
        do {
            return try Certificate(derEncoded: derBytes)
        } catch {
            throw PKIError(code: .invalidStoredMaterial, message: "stored certificate \(serialNumber) is not valid DER")
        }
    }
}
