import Foundation
import Hummingbird
import HTTPTypes
import AccessControl

/// Checks a service request's `Authorization: SharedAccessSignature …` against the shared access policies:
/// signature by the policy named in `skn`, expiry, scope (one of this endpoint's host names) and the route's permission.
/// Missing or invalid tokens are 401 (401002), a valid token without the permission is 403. Tokens are never logged or echoed.
public struct ServiceAuthenticator: Sendable {
    let policies: [SharedAccessPolicy]
    let hostNames: [String]
    let now: @Sendable () -> Date

    /// Creates an authenticator. `hostNames` are the names clients put in the connection string's `HostName`,
    /// with the port when they use one (`127.0.0.1:8443`); a name without a port accepts any port.
    public init(policies: [SharedAccessPolicy], hostNames: [String], now: @escaping @Sendable () -> Date = { Date() }) {
        self.policies = policies
        self.hostNames = hostNames.map { $0.lowercased() }
        self.now = now
    }

    /// Authorizes `request` for `permission`, returning the policy that signed its token.
    @discardableResult
    public func authorize(_ request: Request, permission: SharedAccessPermission) throws(ServiceError) -> SharedAccessPolicy {
        try authorize(authorization: request.headers[.authorization], path: request.uri.path, permission: permission)
    }

    /// Authorizes a token presented for `path` (the request path, e.g. `/enrollments/dev1`).
    public func authorize(
        authorization: String?, path: String, permission: SharedAccessPermission
    ) throws(ServiceError) -> SharedAccessPolicy {
        guard let authorization, !authorization.isEmpty else {
            throw Self.unauthorized("the request has no Authorization header with a SharedAccessSignature")
        }
        let token: SharedAccessSignature
        do {
            token = try SharedAccessSignature(parsing: authorization)
        } catch {
            throw Self.unauthorized("the Authorization header is not a valid SharedAccessSignature")
        }
        guard let keyName = token.keyName,
              let policy = policies.first(where: { $0.name == keyName })
                ?? policies.first(where: { $0.name.lowercased() == keyName.lowercased() })
        else {
            throw Self.unauthorized("the token does not name a known shared access policy (skn)")
        }
        try validate(token, policy: policy, path: path)
        guard policy.permissions.contains(permission) else {
            throw ServiceError(status: .forbidden, errorCode: 403_000,
                               message: "the shared access policy '\(policy.name)' lacks the \(permission.rawValue) permission")
        }
        return policy
    }

    /// Accepts the token when it is valid for this endpoint under at least one configured host name.
    private func validate(_ token: SharedAccessSignature, policy: SharedAccessPolicy, path: String) throws(ServiceError) {
        let grantedAuthority = String(token.resource.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
            .lowercased()
        var failure = SecurityError(.scopeMismatch, "the token is not valid for this service's host name")
        for hostName in hostNames {
            guard let authority = Self.authority(configured: hostName, granted: grantedAuthority) else { continue }
            do {
                try token.validate(keys: policy.keys, now: now(), requiredScope: authority + path)
                return
            } catch {
                failure = error
            }
        }
        throw Self.unauthorized(failure.message)
    }

    /// The authority a token must cover: the configured one, or, when that has no port, the token's own host:port.
    private static func authority(configured: String, granted: String) -> String? {
        guard !hasPort(configured) else { return configured }
        if granted == configured { return configured }
        guard granted.hasPrefix(configured + ":"), granted.dropFirst(configured.count + 1).allSatisfy(\.isNumber) else { return nil }
        return granted
    }

    private static func hasPort(_ authority: String) -> Bool {
        if authority.hasPrefix("[") { return authority.contains("]:") }
        return authority.contains(":")
    }

    private static func unauthorized(_ message: String) -> ServiceError {
        ServiceError(status: .unauthorized, errorCode: 401_002, message: message)
    }
}
