import X509

/// An issuance policy with its profile resolved (and shortened to the policy's validity): what issuance applies.
public struct EffectiveIssuancePolicy: Sendable, Equatable {
    /// The policy as configured.
    public let policy: IssuancePolicy
    /// The profile certificates are issued under, with the policy's validity.
    public let profile: CertificateProfile

    /// The policy name, for logs and the inventory.
    public var name: String { policy.name }

    /// Checks `csr` against the policy (key type and subject alternative names; `CSRPolicy.standard` is applied by
    /// the CA) and returns the subject alternative names the certificate gets. Throws a `PKIError` whose message
    /// says what is wrong.
    public func check(_ csr: CertificateSigningRequest, registrationId: String, deviceId: String) throws -> [GeneralName] {
        guard let keyType = CSRKeyType(publicKey: csr.publicKey), policy.keyAlgorithms.contains(keyType) else {
            let allowed = policy.keyAlgorithms.map(\.rawValue).joined(separator: ", ")
            throw PKIError(code: .disallowedKey,
                           message: "issuance policy '\(policy.name)' does not allow \(csr.publicKey.algorithmDescription) keys (allowed: \(allowed))")
        }
        return try policy.subjectAlternativeNames.approvedNames(for: csr, registrationId: registrationId, deviceId: deviceId)
    }
}
