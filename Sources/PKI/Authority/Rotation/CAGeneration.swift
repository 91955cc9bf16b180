import Foundation
import X509

/// A loaded CA generation: its record with the root and issuing CA (certificates and signing keys).
public struct CAGeneration: Sendable {
    /// What the store holds about it.
    public let record: CAGenerationRecord
    /// The root this generation's issuing CA chains to (shared with earlier generations unless it was a root rollover).
    public let root: CertificateAuthority
    /// The CA that signs leaves while this generation is active.
    public let issuing: CertificateAuthority

    /// The generation number.
    public var number: Int { record.number }
    /// Whether it was retired.
    public var isRetired: Bool { record.retiredAt != nil }
}
