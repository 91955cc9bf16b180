import AccessControl
import Foundation
import Hub

/// Authorizes the tokens of one shard's AMQP claims-based security: policy tokens by `ClaimsTokenVerifier`, device
/// tokens additionally by the device's own key in the registry (the same check as MQTT CONNECT).
public struct ClaimsTokenAuthorizer: Sendable {
    let verifier: ClaimsTokenVerifier
    let shard: HubShard
    let now: @Sendable () -> Date

    /// Creates an authorizer for `shard`, reached as `hostNames`, with its shared access `policies`.
    public init(shard: HubShard, hostNames: [String], policies: [SharedAccessPolicy], now: @escaping @Sendable () -> Date = Date.init) {
        self.verifier = ClaimsTokenVerifier(hostNames: hostNames, entityPath: shard.name, policies: policies)
        self.shard = shard
        self.now = now
    }

    /// Verifies a CBS `put-token` (`audience` = the request's `name`, `token` = its body). Throws a `SecurityError`
    /// whose message is safe to put in the CBS reply's `status-description` (answer 401).
    public func authorize(audience: String, token: String) async throws(SecurityError) -> ClaimsGrant {
        switch try verifier.verify(audience: audience, token: token, now: now()) {
        case .granted(let grant):
            return grant
        case .deviceKeyRequired(let deviceId, let moduleId, let expiry):
            do {
                _ = try await shard.authenticate(deviceId: deviceId, moduleId: moduleId, token: token)
            } catch let error as HubError {
                throw SecurityError(.invalidSignature, error.message)
            } catch {
                throw SecurityError(.invalidSignature, "the device token could not be verified")
            }
            let audience = ClaimsAudience.device(deviceId: deviceId, moduleId: moduleId)
            return ClaimsGrant(principal: .device(deviceId: deviceId, moduleId: moduleId), audience: audience, expiry: expiry)
        }
    }

    /// Verifies SASL PLAIN with a `{policy}@sas.root.{hub}` user and a policy token as the password.
    public func authorizePlain(user: String, password: String) throws(SecurityError) -> ClaimsGrant {
        try verifier.verifyPlain(user: user, password: password, now: now())
    }
}
