/// Which certificates one revocation request covers.
public enum RevocationTarget: Sendable, Equatable, CustomStringConvertible {
    /// One certificate, by serial number (hex as openssl prints it, any case, colons allowed).
    case serialNumber(String)
    /// Every certificate issued to a device.
    case deviceId(String)
    /// Every certificate issued under an individual enrollment or enrollment group.
    case enrollmentId(String)

    /// `serial 4a3f…`, `device dev-1`, `enrollment group-1`: for messages and logs.
    public var description: String {
        switch self {
        case .serialNumber(let serial): "serial \(serial)"
        case .deviceId(let id): "device \(id)"
        case .enrollmentId(let id): "enrollment \(id)"
        }
    }
}
