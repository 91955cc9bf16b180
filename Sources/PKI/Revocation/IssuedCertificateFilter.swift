import Foundation

/// What `provisio cert list` and the service API's certificate listing select.
public struct IssuedCertificateFilter: Sendable, Equatable {
    /// Only certificates issued to this device.
    public var deviceId: String?
    /// Only certificates that are not revoked and whose `notAfter` is before this date (and not yet passed).
    public var expiringBefore: Date?
    /// Only revoked certificates.
    public var revokedOnly: Bool

    /// Creates a filter; no arguments selects everything.
    public init(deviceId: String? = nil, expiringBefore: Date? = nil, revokedOnly: Bool = false) {
        self.deviceId = deviceId
        self.expiringBefore = expiringBefore
        self.revokedOnly = revokedOnly
    }
}
