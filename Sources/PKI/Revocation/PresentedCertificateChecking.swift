import Foundation
import X509

/// Judges the certificate chains clients present (validity period and revocation) before they are admitted.
public protocol PresentedCertificateChecking: Sendable {
    /// The verdict for `chain` (leaf first) at `now`; throws when the state needed to judge cannot be read.
    func verdict(for chain: [Certificate], now: Date) async throws -> PresentedCertificateVerdict
}

extension RevocationAuthority: PresentedCertificateChecking {}
