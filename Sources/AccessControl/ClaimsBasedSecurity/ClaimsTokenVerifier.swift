import Foundation

/// Checks the SAS tokens of AMQP claims-based security (CBS `put-token`, and SASL PLAIN with a `{policy}@sas.root.{hub}`
/// user) against one hub's shared access policies: the audience must name this hub (any spelling the Azure clients
/// use), the token's `sr` must cover it, its `skn` must name a policy whose key signed it (HMAC over the raw `sr`),
/// and it must be unexpired. Pure: the caller supplies the clock; failures are `SecurityError`s without secrets.
public struct ClaimsTokenVerifier: Sendable {
    /// The names the hub is reached by, without ports, lower-cased.
    let hostNames: [String]
    /// The hub's Event Hubs-compatible entity path (the shard name).
    let entityPath: String
    let policies: [SharedAccessPolicy]

    /// Creates a verifier for the hub reached as `hostNames` (ports are ignored) whose events entity is `entityPath`.
    public init(hostNames: [String], entityPath: String, policies: [SharedAccessPolicy]) {
        self.hostNames = hostNames.map { Self.hostWithoutPort($0).lowercased() }
        self.entityPath = entityPath
        self.policies = policies
    }

    /// Verifies a CBS `put-token`: `audience` is the request's `name`, `token` its body.
    public func verify(audience: String, token: String, now: Date) throws(SecurityError) -> ClaimsTokenCheck {
        let wanted = try parse(audience: audience.percentDecoded ?? audience)
        let signature = try SharedAccessSignature(parsing: token)
        let granted = try parse(audience: signature.resource)
        guard granted.covers(wanted) else {
            throw SecurityError(.scopeMismatch, "the token's resource (\(granted)) does not cover the audience (\(wanted))")
        }
        guard let keyName = signature.keyName else {
            guard case .device(let deviceId, let moduleId) = wanted, case .device = granted else {
                throw SecurityError(.unknownPolicy, "the token names no shared access policy (skn)")
            }
            // The device key check follows at the registry; an expired token need not get that far.
            guard Double(signature.expiry) > now.timeIntervalSince1970 else {
                throw SecurityError(.expiredToken, "the token has expired")
            }
            return .deviceKeyRequired(deviceId: deviceId, moduleId: moduleId, expiry: signature.expiryDate)
        }
        return .granted(try grant(signature, policyName: keyName, audience: wanted, now: now))
    }

    /// Verifies SASL PLAIN as the Event Hubs samples use it: user `{policy}@sas.root.{hub}` (`{hub}` = the hub's name
    /// or the first label of its host name), password = a token of that policy whose `sr` is the hub or its events
    /// endpoint. The grant's audience is the token's own scope.
    public func verifyPlain(user: String, password: String, now: Date) throws(SecurityError) -> ClaimsGrant {
        let marker = "@sas.root."
        guard let range = user.range(of: marker, options: [.caseInsensitive, .backwards]), range.lowerBound > user.startIndex else {
            throw SecurityError(.malformedToken, "the SASL PLAIN user is not {policy}@sas.root.{hub}")
        }
        let policyName = String(user[..<range.lowerBound])
        let hubName = user[range.upperBound...].lowercased()
        let names = [entityPath.lowercased()] + hostNames + hostNames.compactMap { $0.split(separator: ".").first.map { $0.lowercased() } }
        guard names.contains(hubName) else {
            throw SecurityError(.foreignAudience, "the SASL PLAIN user names another hub")
        }
        let signature = try SharedAccessSignature(parsing: password)
        if let keyName = signature.keyName, keyName.lowercased() != policyName.lowercased() {
            throw SecurityError(.unknownPolicy, "the token's skn is not the policy of the SASL PLAIN user")
        }
        let scope = try parse(audience: signature.resource)
        guard scope == .hub || scope == .eventHub(consumerGroup: nil) else {
            throw SecurityError(.scopeMismatch, "a SASL PLAIN token must be scoped to the hub or its events endpoint")
        }
        return try grant(signature, policyName: policyName, audience: scope, now: now)
    }

    /// The policy named `policyName` (exact spelling first, then case-insensitive) signed the token, which is unexpired.
    private func grant(_ signature: SharedAccessSignature, policyName: String, audience: ClaimsAudience,
                       now: Date) throws(SecurityError) -> ClaimsGrant {
        guard let policy = policies.first(where: { $0.name == policyName })
            ?? policies.first(where: { $0.name.lowercased() == policyName.lowercased() })
        else {
            throw SecurityError(.unknownPolicy, "the token names no shared access policy of this hub")
        }
        // IoT Hub clients sign with the decoded key, Event Hubs clients with the UTF-8 of its Base64 text.
        try signature.validateSignatureAndExpiry(keys: policy.keys + policy.keys.map(\.serviceBusForm), now: now)
        return ClaimsGrant(principal: .policy(name: policy.name, permissions: policy.permissions), audience: audience,
                           expiry: signature.expiryDate)
    }

    /// Reduces an audience or a token's (decoded) `sr` to its canonical form; anything not of this hub is refused.
    func parse(audience text: String) throws(SecurityError) -> ClaimsAudience {
        var rest = Substring(text)
        if let scheme = rest.range(of: "://") {
            guard ["sb", "amqps", "amqp", "https"].contains(rest[..<scheme.lowerBound].lowercased()) else {
                throw SecurityError(.foreignAudience, "the audience has an unknown scheme")
            }
            rest = rest[scheme.upperBound...]
        }
        var segments = rest.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        while segments.count > 1, segments.last?.isEmpty == true { segments.removeLast() }
        guard let authority = segments.first, hostNames.contains(Self.hostWithoutPort(authority).lowercased()) else {
            throw SecurityError(.foreignAudience, "the audience names another host")
        }
        let path = segments.dropFirst()
        let lowered = path.map { $0.lowercased() }
        switch lowered.count {
        case 0:
            return .hub
        case 1 where lowered[0] == entityPath.lowercased():
            return .eventHub(consumerGroup: nil)
        case 2 where lowered == ["messages", "events"]:
            return .eventHub(consumerGroup: nil)
        case 2 where lowered[0] == "devices" && !path[path.startIndex + 1].isEmpty:
            return .device(deviceId: path[path.startIndex + 1], moduleId: nil)
        case 3 where lowered[0] == entityPath.lowercased() && lowered[1] == "consumergroups" && !lowered[2].isEmpty:
            return .eventHub(consumerGroup: path[path.startIndex + 2])
        case 4 where lowered[0] == "devices" && lowered[2] == "modules" && !lowered[1].isEmpty && !lowered[3].isEmpty:
            return .device(deviceId: path[path.startIndex + 1], moduleId: path[path.startIndex + 3])
        default:
            throw SecurityError(.foreignAudience, "the audience names no resource of this hub")
        }
    }

    /// `host`, `host:port`, `[v6]` or `[v6]:port` without the port and brackets; a bare IPv6 literal stays whole.
    static func hostWithoutPort(_ authority: String) -> String {
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            return String(authority[authority.index(after: authority.startIndex)..<close])
        }
        let colons = authority.filter { $0 == ":" }.count
        guard colons == 1, let colon = authority.firstIndex(of: ":") else { return authority }
        return String(authority[..<colon])
    }
}
