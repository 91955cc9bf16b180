import Foundation
import PKI
import X509

/// The rows of `provisio ca list`: one per CA certificate, a shared root under the generation that created it.
enum CAGenerationListing {
    struct Row: Encodable {
        var generation: Int
        var role: String
        var name: String
        var subject: String
        var serialNumber: String
        var notBefore: String
        var notAfter: String
        var state: String
    }

    static func rows(_ set: CAGenerationSet, now: Date) -> [Row] {
        var rows: [Row] = []
        var listedRoots: Set<String> = []
        for generation in set.generations {
            let status = set.status(of: generation.number, at: now) ?? .verifyingOnly
            if listedRoots.insert(generation.root.name).inserted {
                let sharing = set.generations.filter { $0.root.name == generation.root.name }
                rows.append(row(generation.number, role: "root", generation.root,
                                state: rootStatus(sharing.compactMap { set.status(of: $0.number, at: now) }).text))
            }
            rows.append(row(generation.number, role: "issuing", generation.issuing, state: status.text))
        }
        return rows
    }

    /// A root is as alive as the most alive generation under it.
    private static func rootStatus(_ statuses: [CAGenerationStatus]) -> CAGenerationStatus {
        if statuses.contains(.active) { return .active }
        if statuses.contains(.verifyingOnly) { return .verifyingOnly }
        let pending = statuses.compactMap { if case .pending(let date) = $0 { date } else { nil } }
        if let first = pending.min() { return .pending(activatesAt: first) }
        let retired = statuses.compactMap { if case .retired(let date) = $0 { date } else { nil } }
        return .retired(at: retired.max() ?? Date())
    }

    private static func row(_ generation: Int, role: String, _ authority: CertificateAuthority, state: String) -> Row {
        let certificate = authority.certificate
        return Row(generation: generation, role: role, name: authority.name, subject: String(describing: certificate.subject),
                   serialNumber: SerialNumberText.canonical(bytes: certificate.serialNumber.bytes),
                   notBefore: certificate.notValidBefore.formatted(.iso8601), notAfter: certificate.notValidAfter.formatted(.iso8601),
                   state: state)
    }

    static func table(_ rows: [Row]) -> String {
        let header = ["GEN", "ROLE", "NAME", "SUBJECT", "SERIAL", "NOT BEFORE", "NOT AFTER", "STATE"]
        let lines = [header] + rows.map {
            [String($0.generation), $0.role, $0.name, $0.subject, $0.serialNumber, $0.notBefore, $0.notAfter, $0.state]
        }
        return lines.map { $0.joined(separator: "\t") }.joined(separator: "\n") + "\n"
    }

    static func json(_ rows: [Row]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(rows), as: UTF8.self)
    }
}
