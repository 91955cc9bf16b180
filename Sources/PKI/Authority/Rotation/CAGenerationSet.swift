import Foundation
import X509

/// Every CA generation of an installation and what follows from them at a point in time: which one issues, which
/// CAs still verify, and the trust bundle (every non-retired root).
public struct CAGenerationSet: Sendable {
    /// All generations, by number; never empty.
    public let generations: [CAGeneration]

    /// Creates a set; throws if it is empty or every generation is retired.
    public init(generations: [CAGeneration]) throws {
        let sorted = generations.sorted { $0.number < $1.number }
        guard sorted.contains(where: { !$0.isRetired }) else {
            throw PKIError(code: .inconsistentHierarchy, message: "every CA generation is retired")
        }
        self.generations = sorted
    }

    /// The generations that are not retired.
    public var current: [CAGeneration] { generations.filter { !$0.isRetired } }

    /// The generation that issues at `now`: the non-retired one activated most recently (by then), or the oldest
    /// non-retired one when none has activated yet.
    public func active(at now: Date) -> CAGeneration {
        let current = self.current
        let activated = current.filter { $0.record.activatesAt <= now }
        return activated.max { ($0.record.activatesAt, $0.number) < ($1.record.activatesAt, $1.number) } ?? current[0]
    }

    /// The status of generation `number` at `now`, or nil when there is no such generation.
    public func status(of number: Int, at now: Date) -> CAGenerationStatus? {
        guard let generation = generations.first(where: { $0.number == number }) else { return nil }
        if let retired = generation.record.retiredAt { return .retired(at: retired) }
        if generation.number == active(at: now).number { return .active }
        if generation.record.activatesAt > now { return .pending(activatesAt: generation.record.activatesAt) }
        return .verifyingOnly
    }

    /// The earliest activation time after `now` of a non-retired generation: when issuance switches next.
    public func nextActivation(after now: Date) -> Date? {
        current.map(\.record.activatesAt).filter { $0 > now }.min()
    }

    /// The roots of non-retired generations (each once, oldest first): what the trust bundle holds.
    public var trustedRoots: [Certificate] {
        var seen: Set<String> = []
        return current.map(\.root).filter { seen.insert($0.name).inserted }.map(\.certificate)
    }

    /// The issuing CA certificates of non-retired generations: the anchors for certificates Provisio issued, so a
    /// leaf of a retired issuing CA stops validating even while its root stays trusted.
    public var verifyingIssuingCertificates: [Certificate] {
        current.map(\.issuing.certificate)
    }

    /// Every non-retired CA (issuing CAs first, then roots, each once): whose CRLs and OCSP answers are served.
    public var verifyingAuthorities: [CertificateAuthority] {
        var seen: Set<String> = []
        return (current.map(\.issuing) + current.map(\.root)).filter { seen.insert($0.name).inserted }
    }

    /// The CAs whose CRLs and OCSP answers are served at `now`: every verifying CA, and the roots of retired
    /// generations until they expire — a retirement puts the issuing CA on its root's CRL, and relying parties that
    /// still trust that root must be able to read it.
    public func revocationAuthorities(at now: Date) -> [CertificateAuthority] {
        var seen = Set(verifyingAuthorities.map(\.name))
        let retiredRoots = generations.filter(\.isRetired).map(\.root)
            .filter { $0.certificate.notValidAfter > now && seen.insert($0.name).inserted }
        return verifyingAuthorities + retiredRoots
    }

    /// Every non-retired root as PEM, oldest first: the trust bundle clients re-read during a rotation.
    public var trustBundlePEM: String {
        // A Certificate re-emits the DER it holds, so encoding cannot fail in practice.
        trustedRoots.compactMap { try? $0.pemString() }.joined()
    }
}
