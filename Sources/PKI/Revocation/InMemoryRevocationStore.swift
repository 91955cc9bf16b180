import Foundation

/// A certificate inventory with revocation state held in memory, for tests, benchmarks and tools that need no
/// persistence. Matches the SQLite store's rules: ids case-insensitively, first revocation date and reason stand.
public actor InMemoryRevocationStore: CertificateInventory, RevocationStore {
    private var entries: [CertificateInventoryEntry] = []
    private var indexBySerial: [String: Int] = [:]
    private var sequenceBySerial: [String: Int64] = [:]
    private var sequence: Int64 = 0
    private var crlNumbers: [String: Int64] = [:]

    /// Creates an empty store.
    public init() {}

    /// Records (or replaces the status of) an issued certificate.
    public func record(_ certificate: IssuedCertificateRecord) async throws {
        if let index = indexBySerial[certificate.serialNumber] {
            entries[index].record.status = certificate.status
            return
        }
        indexBySerial[certificate.serialNumber] = entries.count
        entries.append(CertificateInventoryEntry(record: certificate, revocation: nil))
    }

    /// Every record, oldest first.
    public func certificates() async throws -> [IssuedCertificateRecord] {
        entries.map(\.record)
    }

    /// Revokes what `target` covers.
    public func revoke(_ target: RevocationTarget, reason: RevocationReason, at date: Date) async throws -> RevocationOutcome {
        let indices = entries.indices.filter { index in
            let record = entries[index].record
            switch target {
            case .serialNumber(let serial): return record.serialNumber == serial
            case .deviceId(let id): return record.deviceId?.lowercased() == id.lowercased()
            case .enrollmentId(let id): return record.enrollmentId?.lowercased() == id.lowercased()
            }
        }
        guard !indices.isEmpty else {
            throw PKIError(code: .certificateNotFound, message: "no issued certificate matches \(target)")
        }
        var outcome = RevocationOutcome(revoked: [], alreadyRevoked: [])
        for index in indices {
            guard entries[index].revocation == nil else {
                outcome.alreadyRevoked.append(entries[index])
                continue
            }
            sequence += 1
            let serial = entries[index].record.serialNumber
            entries[index].record.status = .revoked
            entries[index].revocation = CertificateRevocation(serialNumber: serial, revocationDate: date, reason: reason)
            sequenceBySerial[serial] = sequence
            outcome.revoked.append(entries[index])
        }
        return outcome
    }

    /// The entry for a serial number.
    public func certificateEntry(serialNumber: String) async throws -> CertificateInventoryEntry? {
        indexBySerial[serialNumber].map { entries[$0] }
    }

    /// Revoked certificates of one issuer, in revocation order.
    public func revokedCertificates(issuer: String) async throws -> [CertificateRevocation] {
        entries.filter { $0.record.issuer == issuer }
            .compactMap { entry in entry.revocation.map { (sequenceBySerial[entry.record.serialNumber] ?? 0, $0) } }
            .sorted { $0.0 < $1.0 }
            .map(\.1)
    }

    /// The number of revocations so far.
    public func revocationSequence() async throws -> Int64 {
        sequence
    }

    /// Entries revoked after `sequence`.
    public func revocations(after sequence: Int64) async throws -> [(sequence: Int64, entry: CertificateInventoryEntry)] {
        entries.compactMap { entry -> (sequence: Int64, entry: CertificateInventoryEntry)? in
            guard let number = sequenceBySerial[entry.record.serialNumber], number > sequence else { return nil }
            return (number, entry)
        }.sorted { $0.sequence < $1.sequence }
    }

    /// The next CRL number of `issuer`.
    public func nextCRLNumber(issuer: String) async throws -> Int64 {
        let next = (crlNumbers[issuer] ?? 0) + 1
        crlNumbers[issuer] = next
        return next
    }

    /// Entries matching `filter`.
    public func issuedCertificates(matching filter: IssuedCertificateFilter, now: Date) async throws -> [CertificateInventoryEntry] {
        entries.filter { entry in
            if let deviceId = filter.deviceId, entry.record.deviceId?.lowercased() != deviceId.lowercased() { return false }
            if filter.revokedOnly, entry.revocation == nil { return false }
            if let before = filter.expiringBefore {
                guard entry.revocation == nil, entry.record.notAfter >= now, entry.record.notAfter < before else { return false }
            }
            return true
        }
    }
}
