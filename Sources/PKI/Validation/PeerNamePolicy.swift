#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SwiftASN1
import X509

/// Matches a TLS server's leaf against the name the client connected to (RFC 9525, CA/Browser Forum §7.1.2.7.12).
///
/// Only SubjectAlternativeName entries count, never the subject's common name. A DNS name matches a `dNSName` caselessly
/// and exactly, or a wildcard that is the whole left-most label (`*.example.com`) and stands for exactly one label
/// over at least two; partial-label wildcards (`ba*.example.com`), a bare `*` and non-ASCII names never match. An IP
/// address matches an `iPAddress` entry with the same octets, never a `dNSName` that spells it.
struct PeerNamePolicy: VerifierPolicy {
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = []

    let peer: ChainValidationPurpose.PeerName

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) -> PolicyEvaluationResult {
        guard let names = try? chain.leaf.extensions.subjectAlternativeNames else {
            return .failsToMeetPolicy(reason: "PeerNamePolicy: the leaf has no SubjectAlternativeName")
        }
        let matched: Bool
        switch peer {
        case .dns(let host):
            matched = names.contains { name in
                if case .dnsName(let pattern) = name { return Self.matches(host: host, pattern: pattern) }
                return false
            }
        case .ipAddress(let text):
            let octets = Self.octets(of: text)
            matched = octets != nil && names.contains { name in
                if case .ipAddress(let address) = name { return Array(address.bytes) == octets }
                return false
            }
        }
        return matched ? .meetsPolicy : .failsToMeetPolicy(reason: "PeerNamePolicy: the leaf is not valid for \(peer)")
    }

    /// RFC 9525 §6.3 DNS matching with the wildcard restrictions above.
    static func matches(host: String, pattern: String) -> Bool {
        let host = host.lowercased()
        let pattern = pattern.lowercased()
        guard isHostName(host), pattern.allSatisfy({ $0.isASCII }) else { return false }
        guard pattern.hasPrefix("*.") else { return !pattern.contains("*") && pattern == host }
        let base = pattern.dropFirst(2)
        guard !base.contains("*"), base.contains("."), isHostName(String(base)) else { return false }
        guard let dot = host.firstIndex(of: "."), dot != host.startIndex else { return false }
        return host[host.index(after: dot)...] == base
    }

    /// Letters, digits, hyphens and dots, in non-empty labels.
    static func isHostName(_ name: String) -> Bool {
        !name.isEmpty && name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }

    /// The 4 or 16 octets of an IPv4 or IPv6 address in text form, or nil.
    static func octets(of text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }
}
