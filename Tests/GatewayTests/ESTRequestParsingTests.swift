import Crypto
import Foundation
import HTTPTypes
@testable import Gateway
import SwiftASN1
import Testing
import X509

@Suite("EST request parsing")
struct ESTRequestParsingTests {
    private static func csrDER(commonName: String) throws -> [UInt8] {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let csr = try CertificateSigningRequest(
            version: .v1, subject: try DistinguishedName { CommonName(commonName) }, privateKey: key, attributes: .init())
        var serializer = DER.Serializer()
        try serializer.serialize(csr)
        return serializer.serializedBytes
    }

    @Test("Basic credentials: user is the registration id, the password may contain anything after the first colon")
    func basicCredentials() throws {
        let header = "Basic " + Data("dev-1:abc:def==".utf8).base64EncodedString()
        let credentials = try #require(ESTBasicCredentials(authorization: header))
        #expect(credentials.registrationId == "dev-1")
        #expect(credentials.key == "abc:def==")
        #expect(ESTBasicCredentials(authorization: "basic " + Data("x:y".utf8).base64EncodedString())?.registrationId == "x")
        #expect(ESTBasicCredentials(authorization: "Bearer abc") == nil)
        #expect(ESTBasicCredentials(authorization: "Basic !!!") == nil)
        #expect(ESTBasicCredentials(authorization: "Basic " + Data("no-colon".utf8).base64EncodedString()) == nil)
        #expect(ESTBasicCredentials(authorization: "Basic " + Data(":key".utf8).base64EncodedString()) == nil)
    }

    @Test("a CSR is read from base64 DER with line breaks, or from PEM")
    func csrForms() throws {
        let der = try Self.csrDER(commonName: "dev-1")
        let wrapped = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        let fromBase64 = try ESTCertificationRequest.parse(wrapped + "\r\n")
        #expect(fromBase64.commonName == "dev-1")
        #expect(fromBase64.derBytes == der)
        let pem = try PEMDocument(type: "CERTIFICATE REQUEST", derBytes: der).pemString
        #expect(try ESTCertificationRequest.parse(pem).derBytes == der)
    }

    @Test("bad base64, a body that is not PKCS#10 and a CSR without CN are 400")
    func refusals() throws {
        for body in ["not base64 ***", "", Data("hello".utf8).base64EncodedString()] {
            do {
                _ = try ESTCertificationRequest.parse(body)
                Issue.record("'\(body)' was accepted")
            } catch let error as ESTError {
                #expect(error.status == .badRequest)
            }
        }
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let noName = try CertificateSigningRequest(
            version: .v1, subject: try DistinguishedName { OrganizationName("Provisio") }, privateKey: key, attributes: .init())
        var serializer = DER.Serializer()
        try serializer.serialize(noName)
        #expect(throws: ESTError.self) { try ESTCertificationRequest.parse(Data(serializer.serializedBytes).base64EncodedString()) }
    }
}
