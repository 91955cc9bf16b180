/// The RFC 5280 §5.3.1 CRLReason a certificate is revoked for, as it appears in CRL entries and OCSP answers.
///
/// `certificateHold` and `removeFromCRL` are left out: Provisio never un-revokes, so a hold could not be lifted.
public enum RevocationReason: Int, Sendable, CaseIterable, Codable {
    /// No reason given; CRLs and OCSP omit the reason for it, as RFC 5280 asks.
    case unspecified = 0
    /// The device's private key is known or suspected to be compromised.
    case keyCompromise = 1
    /// The issuing CA's key is compromised.
    case cACompromise = 2
    /// The subject's name or other information changed.
    case affiliationChanged = 3
    /// A new certificate replaced this one.
    case superseded = 4
    /// The device is no longer in service.
    case cessationOfOperation = 5
    /// A privilege in the certificate was withdrawn.
    case privilegeWithdrawn = 9
    /// An attribute authority was compromised.
    case aACompromise = 10

    /// The RFC 5280 name, as `openssl crl -text` prints it in camel case (`keyCompromise`).
    public var name: String {
        switch self {
        case .unspecified: "unspecified"
        case .keyCompromise: "keyCompromise"
        case .cACompromise: "cACompromise"
        case .affiliationChanged: "affiliationChanged"
        case .superseded: "superseded"
        case .cessationOfOperation: "cessationOfOperation"
        case .privilegeWithdrawn: "privilegeWithdrawn"
        case .aACompromise: "aACompromise"
        }
    }

    /// Parses an RFC 5280 name case-insensitively (`keyCompromise`, `KeyCompromise`, `key-compromise`) or its number.
    public init?(name: String) {
        let folded = name.lowercased().filter { $0 != "-" && $0 != "_" && $0 != " " }
        if let number = Int(folded), let reason = RevocationReason(rawValue: number) {
            self = reason
            return
        }
        guard let reason = Self.allCases.first(where: { $0.name.lowercased() == folded }) else { return nil }
        self = reason
    }

    /// Every accepted name, for help texts and error messages.
    public static var names: [String] { allCases.map(\.name) }
}
