import Hub

/// A change that ends the right of some sessions to stay open. Deciding which bindings it ends is pure, so the
/// rules are tested without sockets; `AuthorizedSessionRegistry` applies them.
public enum CredentialLapse: Sendable, Hashable {
    /// A hub device was disabled, deleted or re-keyed, or its enrollment was disabled: its hub sessions end (on
    /// `shard`, or on every shard when nil); with `moduleId` nil the device's module sessions end too.
    case device(shard: String?, deviceId: String, moduleId: String?)
    /// A certificate was revoked: every session that presented it ends, and so do the hub sessions of the device it
    /// was issued to. A renewal supersedes the certificate that asked for it, so a DPS session presenting a
    /// `superseded` certificate stays open to poll its renewal's status (its next register is refused).
    case certificateRevoked(serialNumber: String, deviceId: String?, superseded: Bool)
    /// A DPS enrollment or group was disabled, deleted or re-keyed: the DPS sessions it attested end.
    case enrollmentDisabled(EnrollmentReference)

    /// Whether this lapse ends a session bound as `binding`. Ids compare case-insensitively, as the registry and the
    /// enrollment store look them up, so no spelling of an id escapes.
    public func ends(_ binding: SessionBinding) -> Bool {
        switch self {
        case .device(let shard, let deviceId, let moduleId):
            guard case .hub(let boundShard) = binding.endpoint, shard == nil || shard == boundShard,
                  Self.same(binding.identity, deviceId)
            else { return false }
            guard let moduleId else { return true }
            return binding.moduleId.map { Self.same($0, moduleId) } ?? false
        case .certificateRevoked(let serialNumber, let deviceId, let superseded):
            if let presented = binding.certificateSerial, Self.same(presented, serialNumber) {
                return !(superseded && binding.endpoint == .dps)
            }
            guard case .hub = binding.endpoint, let deviceId else { return false }
            return Self.same(binding.identity, deviceId)
        case .enrollmentDisabled(let enrollment):
            return binding.endpoint == .dps && binding.enrollment == enrollment
        }
    }

    private static func same(_ lhs: String, _ rhs: String) -> Bool {
        lhs.lowercased() == rhs.lowercased()
    }
}
