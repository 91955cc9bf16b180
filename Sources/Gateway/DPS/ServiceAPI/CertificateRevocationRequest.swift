/// The body of `POST /certificates/revoke`: exactly one of `serialNumber`, `deviceId` or `enrollmentId`, and an
/// optional RFC 5280 reason name (`keyCompromise`, …; `unspecified` when absent).
struct CertificateRevocationRequest: Decodable, Sendable {
    var serialNumber: String?
    var deviceId: String?
    var enrollmentId: String?
    var reason: String?
}
