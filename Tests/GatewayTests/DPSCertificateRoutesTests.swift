import ProvisioTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Provisioning
import Testing

@Suite struct DPSCertificateRoutesTests {
    static func certificateBody(_ pem: String) throws -> ByteBuffer {
        ByteBuffer(bytes: try JSONEncoder().encode(["certificate": pem]))
    }

    @Test func uploadProveAndDelete() async throws {
        let fixture = ServiceAPIFixture()
        let certificates = try TestCertificates()
        let caPEM = try TestCertificates.pem(certificates.ca)
        try await fixture.test { client in
            let uploaded = try await client.execute(uri: "/certificates/root" + apiVersion, method: .put, headers: fixture.headers(),
                                                    body: try Self.certificateBody(caPEM))
            #expect(uploaded.status == .ok)
            let body = try uploaded.json()
            #expect(body["name"] == .string("root"))
            #expect(body["properties"]?["isVerified"] == .bool(false))
            #expect(body["properties"]?["subject"] == .string("CN=Provisio Test CA"))
            #expect(body["properties"]?["verificationCode"] == nil)
            #expect(!uploaded.text.contains("\\/"), "slashes in PEM are not escaped")
            #expect(body["properties"]?["certificate"] == .string(caPEM + "\n"))

            let list = try await client.execute(uri: "/certificates" + apiVersion, method: .get, headers: fixture.headers())
            #expect(list.status == .ok)
            guard case .array(let items)? = try list.json()["value"] else { Issue.record("no value array"); return }
            #expect(items.count == 1)

            let generated = try await client.execute(uri: "/certificates/root/generateVerificationCode" + apiVersion, method: .post,
                                                     headers: fixture.headers())
            #expect(generated.status == .ok)
            guard case .string(let code)? = try generated.json()["properties"]?["verificationCode"] else {
                Issue.record("no verification code: \(generated.text)"); return
            }

            let wrongCN = try await client.execute(uri: "/certificates/root/verify", method: .post, headers: fixture.headers(),
                                                   body: try Self.certificateBody(try TestCertificates.pem(try certificates.leaf(commonName: "wrong"))))
            try expectServiceError(wrongCN, status: .badRequest)
            let forged = try await client.execute(uri: "/certificates/root/verify", method: .post, headers: fixture.headers(),
                                                  body: try Self.certificateBody(try TestCertificates.pem(try certificates.impostor(commonName: code))))
            try expectServiceError(forged, status: .badRequest)

            let verified = try await client.execute(uri: "/certificates/root/verify" + apiVersion, method: .post, headers: fixture.headers(),
                                                    body: try Self.certificateBody(try TestCertificates.pem(try certificates.leaf(commonName: code))))
            #expect(verified.status == .ok)
            #expect(try verified.json()["properties"]?["isVerified"] == .bool(true))

            let fetched = try await client.execute(uri: "/certificates/root", method: .get, headers: fixture.headers())
            #expect(try fetched.json()["properties"]?["isVerified"] == .bool(true))
            let deleted = try await client.execute(uri: "/certificates/root", method: .delete, headers: fixture.headers())
            #expect(deleted.status == .noContent)
            try expectServiceError(try await client.execute(uri: "/certificates/root", method: .get, headers: fixture.headers()),
                                   status: .notFound)
        }
    }

    @Test func armShapedUploadAndBadCertificates() async throws {
        let fixture = ServiceAPIFixture()
        let certificates = try TestCertificates()
        try await fixture.test { client in
            let arm = ByteBuffer(bytes: try JSONEncoder().encode(
                ["properties": ["certificate": try TestCertificates.base64DER(certificates.ca)]]))
            let uploaded = try await client.execute(uri: "/certificates/arm", method: .put, headers: fixture.headers(), body: arm)
            #expect(uploaded.status == .ok)
            let leaf = try Self.certificateBody(try TestCertificates.pem(try TestCertificates.selfSignedLeaf(commonName: "leaf")))
            try expectServiceError(try await client.execute(uri: "/certificates/leaf", method: .put, headers: fixture.headers(), body: leaf),
                                   status: .badRequest)
            try expectServiceError(try await client.execute(uri: "/certificates/junk", method: .put, headers: fixture.headers(),
                                                            body: .json(#"{"certificate": "junk"}"#)), status: .badRequest)
            try expectServiceError(try await client.execute(uri: "/certificates/none", method: .put, headers: fixture.headers(),
                                                            body: .json("{}")), status: .badRequest)
            try expectServiceError(try await client.execute(uri: "/certificates/nope/generateVerificationCode", method: .post,
                                                            headers: fixture.headers()), status: .notFound)
        }
    }
}
