import Foundation

/// A verified claims-based-security token: who it speaks for, what it is scoped to, and until when.
public struct ClaimsGrant: Sendable, Equatable {
    /// Who signed the token.
    public enum Principal: Sendable, Equatable {
        /// A shared access policy of the hub, with its permissions.
        case policy(name: String, permissions: Set<SharedAccessPermission>)
        /// A device or module, by its own key.
        case device(deviceId: String, moduleId: String?)
    }

    /// Who signed the token.
    public var principal: Principal
    /// What the token was presented for (CBS `name`), or for SASL PLAIN what it is scoped to.
    public var audience: ClaimsAudience
    /// When the token stops being valid; links it authorized close then unless a new token arrives.
    public var expiry: Date

    /// Creates a grant.
    public init(principal: Principal, audience: ClaimsAudience, expiry: Date) {
        self.principal = principal
        self.audience = audience
        self.expiry = expiry
    }

    /// Whether a policy grant carries `permission` (device grants carry none: they act as their device only).
    public func permits(_ permission: SharedAccessPermission) -> Bool {
        if case .policy(_, let permissions) = principal { return permissions.contains(permission) }
        return false
    }
}
