import Foundation
import PKI
import SwiftASN1
import Testing
import X509

@Suite("PKCS#7 certs-only (EST)")
struct CertsOnlySignedDataTests {
    @Test("the ContentInfo is a degenerate SignedData: version 1, no digests, id-data, the certificates, no signers")
    func structure() async throws {
        try await withTemporaryDirectory { base in
            let fixture = try await RevocationFixture.make(in: base)
            let leaf = try await fixture.issueDevice("est-device")
            let chain = [leaf, fixture.hierarchy.issuing.certificate, fixture.hierarchy.root.certificate]
            let der = try CertsOnlySignedData(certificates: chain).derBytes()

            let contentInfo = try DER.parse(der)
            guard case .constructed(let outer) = contentInfo.content else { Issue.record("ContentInfo is not constructed"); return }
            let outerNodes = Array(outer)
            #expect(outerNodes.count == 2)
            #expect(try ASN1ObjectIdentifier(derEncoded: outerNodes[0]) == [1, 2, 840, 113_549, 1, 7, 2])
            #expect(outerNodes[1].identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific))
            guard case .constructed(let wrapped) = outerNodes[1].content, let signedData = Array(wrapped).first,
                  case .constructed(let fields) = signedData.content
            else { Issue.record("no SignedData"); return }
            let nodes = Array(fields)
            #expect(nodes.count == 5)
            #expect(try Int(derEncoded: nodes[0]) == 1)
            #expect(nodes[1].identifier == .set)
            if case .constructed(let digests) = nodes[1].content { #expect(Array(digests).isEmpty) }
            guard case .constructed(let encapsulated) = nodes[2].content else { Issue.record("no encapContentInfo"); return }
            let encapsulatedNodes = Array(encapsulated)
            #expect(encapsulatedNodes.count == 1, "no eContent")
            #expect(try ASN1ObjectIdentifier(derEncoded: encapsulatedNodes[0]) == [1, 2, 840, 113_549, 1, 7, 1])
            #expect(nodes[3].identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific))
            guard case .constructed(let certificateNodes) = nodes[3].content else { Issue.record("no certificates"); return }
            let parsed = try Array(certificateNodes).map { try Certificate(derEncoded: $0.encodedBytes) }
            #expect(Set(parsed.map { try! $0.serializeAsPEM().pemString }) == Set(chain.map { try! $0.serializeAsPEM().pemString }))
            let encodings = Array(certificateNodes).map { Array($0.encodedBytes) }
            #expect(encodings == encodings.sorted { $0.lexicographicallyPrecedes($1) }, "DER SET OF is ordered")
            #expect(nodes[4].identifier == .set)
            if case .constructed(let signers) = nodes[4].content { #expect(Array(signers).isEmpty) }

            #expect(try CertsOnlySignedData(derEncoded: der).certificates.count == 3)
        }
    }

    @Test("openssl pkcs7 reads it and prints every certificate")
    func opensslReadsIt() async throws {
        try await withTemporaryDirectory { base in
            let fixture = try await RevocationFixture.make(in: base)
            let leaf = try await fixture.issueDevice("est-device")
            let file = try fixture.write(bytes: try CertsOnlySignedData(certificates: [leaf, fixture.hierarchy.issuing.certificate]).derBytes(),
                                         named: "certs.p7")
            let printed = try OpenSSL.run(["pkcs7", "-inform", "DER", "-in", file.path, "-print_certs", "-noout"])
            #expect(printed.succeeded, "\(printed.error)")
            #expect(printed.output.contains("subject=CN = est-device"), "\(printed.output)")
            #expect(printed.output.contains("CN = Provisio Issuing CA"), "\(printed.output)")
            let empty = try fixture.write(bytes: try CertsOnlySignedData(certificates: []).derBytes(), named: "empty.p7")
            #expect(try OpenSSL.run(["pkcs7", "-inform", "DER", "-in", empty.path, "-print_certs", "-noout"]).succeeded)
        }
    }

    @Test("parsing refuses what is not a SignedData")
    func refusesGarbage() throws {
        #expect(throws: PKIError.self) { try CertsOnlySignedData(derEncoded: [0x30, 0x00]) }
        #expect(throws: PKIError.self) { try CertsOnlySignedData(derEncoded: Array("hello".utf8)) }
    }
}
