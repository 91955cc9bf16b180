import Foundation

/// The outcome of checking a token against a hub's shared access policies.
public enum ClaimsTokenCheck: Sendable, Equatable {
    /// Signed by a policy of the hub, unexpired, and scoped to cover the audience.
    case granted(ClaimsGrant)
    /// A device token (no `skn`) for a device or module audience, unexpired and scoped to cover it; its signature
    /// needs the device's own key, which the hub's registry holds (`HubShard.authenticate(deviceId:moduleId:token:)`).
    case deviceKeyRequired(deviceId: String, moduleId: String?, expiry: Date)
}
