import PKI
import SwiftASN1
import X509

/// PKCS#10 requests as devices send them (DER in DPS and EST bodies, PEM on the command line), then the checks
/// issuance runs on them: key policy, signature, common name, subject alternative names.
enum CSRFuzzing {
    static func run(_ input: [UInt8]) throws(FuzzFinding) {
        if let csr = try? CertificateSigningRequest(derEncoded: input) {
            check(csr)
        }
        if input.first == UInt8(ascii: "-"), let csr = try? CertificateSigningRequest(pemEncoded: String(decoding: input, as: UTF8.self)) {
            check(csr)
        }
    }

    /// A rule that lets a device ask for its own DNS name and URN, so the SAN comparison code runs.
    static let sanRule = try? SubjectAlternativeNameRule(
        requirement: .optional, dnsNames: [try NameTemplate("{deviceId}.devices.example.com")],
        uris: [try NameTemplate("urn:example:{registrationId}")])

    static func check(_ csr: CertificateSigningRequest) {
        _ = try? CSRPolicy.standard.check(csr)
        _ = try? sanRule?.approvedNames(for: csr, registrationId: "dev-1", deviceId: "dev-1")
        _ = try? SubjectAlternativeNameRule.none.approvedNames(for: csr, registrationId: "dev-1", deviceId: "dev-1")
        _ = try? CSRPolicy.commonName(of: csr)
        _ = CSRKeyType(publicKey: csr.publicKey)
        _ = csr.description
    }
}
