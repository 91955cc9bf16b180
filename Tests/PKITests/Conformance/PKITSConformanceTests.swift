import Foundation
import PKI
import SwiftASN1
import Testing
import X509

/// Runs NIST PKITS 4.1–4.4, 4.6 and 4.7 from `cryptography_vectors`; an invalid path may never validate.
@Suite struct PKITSConformanceTests {
    /// PKITS data is valid 2010–2030; Chromium validates at the same instant.
    static let validationTime = Date(timeIntervalSince1970: 1_302_825_600)  // 2011-04-15T00:00:00Z

    /// Tests not run, with the reason.
    static let skipped: [String: String] = [
        "4.1.4": "DSA: swift-certificates parses no DSA keys or signatures",
        "4.1.5": "DSA: swift-certificates parses no DSA keys or signatures",
        "4.1.6": "DSA: swift-certificates parses no DSA keys or signatures",
    ]

    /// Valid paths the validator refuses on purpose, with the reason.
    static let knownRejections: [String: String] = [
        "4.3.6": "swift-certificates 1.21.1 cannot parse certificates with issuerUniqueID/subjectUniqueID",
    ]

    @Test func pkitsHasNoWrongAcceptances() async throws {
        let directory = try ConformanceData.pkitsDirectory()
        let anchor = try Self.certificate("TrustAnchorRootCertificate", in: directory)
        let rootCRL = try Self.crl("TrustAnchorRootCRL", in: directory)
        var tally = ConformanceTally()
        for testCase in PKITSTable.cases {
            let id = "\(testCase.number) \(testCase.name)"
            if let reason = Self.skipped[testCase.number] {
                tally.skipped.append((id, reason))
                continue
            }
            let certificates: [Certificate]
            do {
                certificates = try testCase.path.map { try Self.certificate($0, in: directory) }
            } catch {
                // A certificate swift-certificates cannot parse cannot be presented at all: the path is refused.
                tally.record(id: testCase.number, expectedValid: testCase.valid, outcome: .invalid("unparseable certificate: \(error)"))
                continue
            }
            let crls = try [rootCRL] + testCase.crls.map { try Self.crl($0, in: directory) }
            let validator = DeviceChainValidator(trustAnchors: [anchor], configuration: DeviceChainValidator.Configuration(
                requiredLeafKeyUsage: KeyUsage(), keyIdentifiers: .required, revocation: .crls(crls, requireStatus: true)))
            let result = await validator.validate(chain: certificates.reversed(), at: Self.validationTime)
            tally.record(id: testCase.number, expectedValid: testCase.valid, outcome: result.isValid ? .valid : .invalid(result.summary))
        }
        print(tally.report(suite: "NIST PKITS 4.1-4.4, 4.6, 4.7"))
        #expect(tally.wrongAcceptances.isEmpty, "accepted paths PKITS says are invalid: \(tally.wrongAcceptances)")
        let unexplained = tally.wrongRejections.filter { Self.knownRejections[$0.id] == nil }
        #expect(unexplained.isEmpty, "refused paths PKITS says are valid: \(unexplained)")
        let fixed = Set(Self.knownRejections.keys).subtracting(tally.wrongRejections.map(\.id))
        #expect(fixed.isEmpty, "now validate, remove from knownRejections: \(fixed.sorted())")
    }

    @Test func everyPKITSCRLParses() throws {
        let directory = try ConformanceData.pkitsDirectory().appendingPathComponent("crls")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".crl") }
        #expect(names.count == 173)
        for name in names {
            let crl = try CRLDocument(derEncoded: Array(try Data(contentsOf: directory.appendingPathComponent(name))))
            #expect(crl.version == 2, "\(name)")
        }
    }

    static func certificate(_ stem: String, in directory: URL) throws -> Certificate {
        try Certificate(derEncoded: Array(try Data(contentsOf: directory.appendingPathComponent("certs/\(stem).crt"))))
    }

    static func crl(_ stem: String, in directory: URL) throws -> CRLDocument {
        try CRLDocument(derEncoded: Array(try Data(contentsOf: directory.appendingPathComponent("crls/\(stem).crl"))))
    }
}
