import Foundation
import PKI
import SwiftASN1
import Testing
import X509

/// Runs every x509-limbo case the validator can express; none expected to fail may validate.
@Suite struct LimboConformanceTests {
    @Test func limboSuiteHasNoWrongAcceptances() async throws {
        let file = ConformanceData.limboFile
        let testcases = try LimboTestcase.load(file)
        #expect(testcases.count == 208, "x509-limbo.json changed: \(testcases.count) testcases")
        var tally = ConformanceTally()
        for testcase in testcases {
            if let reason = LimboExpectations.skipReason(testcase) {
                tally.skipped.append((testcase.id, reason))
                continue
            }
            let outcome = await LimboHarness.run(testcase)
            tally.record(id: testcase.id, expectedValid: testcase.expectedResult == "SUCCESS", outcome: outcome)
        }
        print(tally.report(suite: "x509-limbo"))
        #expect(tally.wrongAcceptances.isEmpty, "accepted chains x509-limbo expects to fail: \(tally.wrongAcceptances)")
        let unexplained = tally.wrongRejections.filter { LimboExpectations.knownRejections[$0.id] == nil }
        #expect(unexplained.isEmpty, "refused chains x509-limbo expects to validate: \(unexplained)")
        let fixed = Set(LimboExpectations.knownRejections.keys).subtracting(tally.wrongRejections.map(\.id))
        #expect(fixed.isEmpty, "now validate, remove from LimboExpectations.knownRejections: \(fixed.sorted())")
    }
}

/// Maps one limbo case onto ``DeviceChainValidator``.
enum LimboHarness {
    static func run(_ testcase: LimboTestcase) async -> ConformanceTally.Outcome {
        let anchors: [Certificate]
        let intermediates: [Certificate]
        let leaf: Certificate
        do {
            anchors = try testcase.trustedCerts.map { try Certificate(pemEncoded: $0) }
            intermediates = try testcase.untrustedIntermediates.map { try Certificate(pemEncoded: $0) }
            leaf = try Certificate(pemEncoded: testcase.peerCertificate)
        } catch {
            // A certificate swift-certificates cannot parse (DSA or P-192 key, explicit curve, duplicate extension, …)
            // cannot be presented to the validator at all: the handshake refuses it.
            return .invalid("unparseable certificate: \(error)")
        }
        var configuration = DeviceChainValidator.Configuration(keyIdentifiers: .required)
        if testcase.validationKind == "SERVER" {
            configuration.purpose = .serverAuthentication(testcase.expectedPeerName.map {
                $0.kind == "IP" ? .ipAddress($0.value) : .dns($0.value)
            })
            configuration.requiredLeafKeyUsage = KeyUsage()
        }
        if let names = testcase.keyUsage, !names.isEmpty {
            configuration.requiredLeafKeyUsage = LimboExpectations.keyUsage(names)
        }
        if let depth = testcase.maxChainDepth { configuration.maximumIntermediates = depth }
        if let pems = testcase.crls, !pems.isEmpty {
            // A CRL that does not parse cannot be used; with status required, that refuses the chain.
            let crls = pems.compactMap { try? CRLDocument(pemEncoded: $0) }
            configuration.revocation = .crls(crls, requireStatus: true)
        }
        let validator = DeviceChainValidator(trustAnchors: anchors, configuration: configuration)
        let result = await validator.validate(leaf: leaf, intermediates: intermediates, at: testcase.validationDate ?? Date())
        return result.isValid ? .valid : .invalid(result.summary)
    }
}
