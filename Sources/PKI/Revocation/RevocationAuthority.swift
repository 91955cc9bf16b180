import Foundation
import X509

/// Revocation for the CAs of one installation: revokes through the store, keeps each CA's CRL current, answers
/// OCSP, judges presented chains, and tells observers (the hubs) about every revocation — also those another
/// process (`provisio cert revoke`) wrote to the store, which `synchronize(now:)` picks up.
public actor RevocationAuthority {
    /// The CAs whose certificates can be revoked and whose CRLs and OCSP answers this authority signs.
    public private(set) var authorities: [CertificateAuthority]
    /// How long a CRL is valid (nextUpdate − thisUpdate); it is reissued once half of that has passed.
    public nonisolated let crlValidity: TimeInterval
    private let store: any RevocationStore
    private var responder: OCSPResponder
    private var crls: [String: (list: CertificateRevocationList, sequence: Int64)] = [:]
    private var observedSequence: Int64?
    private var observers: [@Sendable ([CertificateInventoryEntry]) async -> Void] = []
    private var synchronizing = false
    private var anotherPassRequested = false

    /// Creates the authority; nothing is read or signed until it is used. With `ocspSigners`, OCSP answers about
    /// issuing CAs' certificates are signed by their delegated responders instead of the CA keys.
    public init(authorities: [CertificateAuthority], store: any RevocationStore,
                crlValidity: TimeInterval = 24 * 3600, ocspValidity: TimeInterval = 3600,
                ocspSigners: DelegatedOCSPSigner? = nil) {
        self.authorities = authorities
        self.store = store
        self.crlValidity = crlValidity
        self.responder = OCSPResponder(authorities: authorities, validity: ocspValidity, signers: ocspSigners)
    }

    /// The root and issuing CA of a hierarchy.
    public init(hierarchy: CAHierarchy, store: any RevocationStore, ocspSigners: DelegatedOCSPSigner? = nil) {
        self.init(authorities: [hierarchy.issuing, hierarchy.root], store: store, ocspSigners: ocspSigners)
    }

    /// Replaces the CAs served (after a CA rotation or retirement): CRLs and OCSP answers of CAs no longer listed
    /// stop, new ones start with their first CRL on the next `synchronize(now:)`.
    public func replaceAuthorities(_ authorities: [CertificateAuthority]) {
        self.authorities = authorities
        responder = OCSPResponder(authorities: authorities, validity: responder.validity, signers: responder.signers)
        let names = Set(authorities.map(\.name))
        crls = crls.filter { names.contains($0.key) }
    }

    /// Calls `observer` with the certificates of every revocation seen from now on (each once).
    public func onRevocation(_ observer: @escaping @Sendable ([CertificateInventoryEntry]) async -> Void) {
        observers.append(observer)
    }

    /// Revokes what `target` covers, durably; in a serving process (one that has called `synchronize(now:)`)
    /// also notifies observers and reissues the CRLs before returning. Elsewhere (the CLI) the server's next
    /// `synchronize(now:)` does that.
    ///
    /// CA certificates are refused (`notRevocable`): a CA is retired, not revoked by serial here.
    public func revoke(_ target: RevocationTarget, reason: RevocationReason, now: Date) async throws -> RevocationOutcome {
        var target = target
        if case .serialNumber(let text) = target {
            guard let serial = SerialNumberText.canonical(text) else {
                throw PKIError(code: .invalidRevocationRequest, message: "'\(text)' is not a hexadecimal serial number")
            }
            if let entry = try await store.certificateEntry(serialNumber: serial),
               let certificate = try? entry.record.certificate(), Self.isCertificateAuthority(certificate) {
                throw PKIError(code: .notRevocable, message: "certificate \(serial) is a CA certificate; retire the CA instead")
            }
            target = .serialNumber(serial)
        }
        let outcome = try await store.revoke(target, reason: reason, at: now)
        if observedSequence != nil {
            try await synchronize(now: now)
        }
        return outcome
    }

    /// Picks up revocations written since the last call (by this process or another), tells observers, and
    /// reissues CRLs that are out of date or half-way to their nextUpdate. The first call only takes note of the
    /// current state. Concurrent calls coalesce into one more pass.
    public func synchronize(now: Date) async throws {
        if synchronizing {
            anotherPassRequested = true
            return
        }
        synchronizing = true
        defer { synchronizing = false }
        repeat {
            anotherPassRequested = false
            try await synchronizeOnce(now: now)
        } while anotherPassRequested
    }

    /// The current CRL of the CA called `name`, reissued first if a revocation happened since or it is half-way
    /// to nextUpdate; nil when there is no such CA.
    public func crl(forAuthorityNamed name: String, now: Date) async throws -> CertificateRevocationList? {
        guard let authority = authorities.first(where: { $0.name == name }) else { return nil }
        let sequence = try await store.revocationSequence()
        if let cached = crls[name], cached.sequence >= sequence, !isDue(cached.list, now: now) {
            return cached.list
        }
        return try await reissueCRL(of: authority, sequence: sequence, now: now)
    }

    /// The DER OCSPResponse for a DER OCSPRequest.
    public func ocspResponse(for request: [UInt8], now: Date) async -> [UInt8] {
        let store = self.store
        return await responder.respond(to: request, now: now) { serial, authority in
            try await Self.status(of: serial, issuedBy: authority, in: store)
        }
    }

    /// Inventory entries matching `filter`, for listings.
    public func issuedCertificates(matching filter: IssuedCertificateFilter, now: Date) async throws -> [CertificateInventoryEntry] {
        try await store.issuedCertificates(matching: filter, now: now)
    }

    /// Whether a presented chain (leaf first) may be used now: the leaf within its validity period, and neither
    /// the leaf nor any certificate above it revoked in the inventory. Certificates from other CAs are not in the
    /// inventory and only get the validity check.
    public func verdict(for chain: [Certificate], now: Date) async throws -> PresentedCertificateVerdict {
        guard let leaf = chain.first else { return .acceptable }
        let serial = SerialNumberText.canonical(bytes: leaf.serialNumber.bytes)
        if now > leaf.notValidAfter { return .expired(serialNumber: serial) }
        if now < leaf.notValidBefore { return .notYetValid(serialNumber: serial) }
        for certificate in chain {
            let serial = SerialNumberText.canonical(bytes: certificate.serialNumber.bytes)
            guard let entry = try await store.certificateEntry(serialNumber: serial), let revocation = entry.revocation,
                  entry.record.derBytes == (try? certificate.derBytes())
            else { continue }
            return .revoked(revocation)
        }
        return .acceptable
    }

    /// The status of a serial for OCSP: unknown unless the inventory holds it under this CA.
    static func status(of serial: String, issuedBy authority: CertificateAuthority,
                       in store: any RevocationStore) async throws -> OCSPCertificateStatus {
        guard let entry = try await store.certificateEntry(serialNumber: serial),
              entry.record.issuer == String(describing: authority.certificate.subject)
        else { return .unknown }
        if let revocation = entry.revocation { return .revoked(revocation) }
        return .good
    }

    private func synchronizeOnce(now: Date) async throws {
        let sequence = try await store.revocationSequence()
        if let observed = observedSequence, sequence > observed {
            let changes = try await store.revocations(after: observed)
            observedSequence = max(sequence, changes.last?.sequence ?? sequence)
            let entries = changes.map(\.entry)
            if !entries.isEmpty {
                for observer in observers { await observer(entries) }
            }
        } else if observedSequence == nil {
            observedSequence = sequence
        }
        for authority in authorities {
            if let cached = crls[authority.name], cached.sequence >= sequence, !isDue(cached.list, now: now) { continue }
            _ = try await reissueCRL(of: authority, sequence: sequence, now: now)
        }
    }

    private func reissueCRL(of authority: CertificateAuthority, sequence: Int64, now: Date) async throws -> CertificateRevocationList {
        let issuer = String(describing: authority.certificate.subject)
        let revocations = try await store.revokedCertificates(issuer: issuer)
        let number = try await store.nextCRLNumber(issuer: issuer)
        let list = try await CertificateRevocationList.issue(
            by: authority, revocations: revocations, crlNumber: number,
            thisUpdate: now.addingTimeInterval(-CertificateAuthority.clockSkewAllowance),
            nextUpdate: now.addingTimeInterval(crlValidity))
        if let cached = crls[authority.name], cached.list.crlNumber > list.crlNumber, cached.sequence >= sequence {
            return cached.list  // a concurrent reissue finished later with a newer list
        }
        crls[authority.name] = (list, sequence)
        return list
    }

    private func isDue(_ list: CertificateRevocationList, now: Date) -> Bool {
        now >= list.thisUpdate.addingTimeInterval(crlValidity / 2)
    }

    private static func isCertificateAuthority(_ certificate: Certificate) -> Bool {
        guard let constraints = try? certificate.extensions.basicConstraints else { return false }
        if case .isCertificateAuthority = constraints { return true }
        return false
    }
}
