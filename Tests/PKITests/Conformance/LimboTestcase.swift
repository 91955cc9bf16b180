import Foundation

/// One x509-limbo testcase (`limbo-schema.json`), with the fields this harness maps onto the validator.
struct LimboTestcase: Decodable, Sendable {
    /// A peer name as limbo writes it.
    struct PeerName: Decodable, Sendable {
        let kind: String
        let value: String
    }

    let id: String
    let features: [String]
    let validationKind: String
    let trustedCerts: [String]
    let untrustedIntermediates: [String]
    let peerCertificate: String
    let validationTime: String?
    let signatureAlgorithms: [String]?
    let keyUsage: [String]?
    let extendedKeyUsage: [String]?
    let expectedResult: String
    let expectedPeerName: PeerName?
    let maxChainDepth: Int?
    let crls: [String]?

    /// The suite file's top level.
    struct Suite: Decodable {
        let version: Int
        let testcases: [LimboTestcase]
    }

    /// Decodes the suite at `url`.
    static func load(_ url: URL) throws -> [LimboTestcase] {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(Suite.self, from: Data(contentsOf: url)).testcases
    }

    /// `validation_time` as a date (ISO 8601, optional fractional seconds); nil when the case says "now".
    var validationDate: Date? {
        guard let validationTime else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: validationTime) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: validationTime)
    }
}
