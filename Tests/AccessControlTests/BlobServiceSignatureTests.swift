@testable import AccessControl
import Foundation
import Testing

/// The blob SAS of file uploads: Azure's 2018-03-28 service-SAS string-to-sign, and a SAS that opens exactly its
/// blob, with its permissions, until its expiry.
@Suite("Blob service SAS")
struct BlobServiceSignatureTests {
    let key = SharedAccessKey(bytes: Array(repeating: 7, count: 32))
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func query(_ token: String) -> [String: String] {
        var parameters: [String: String] = [:]
        for pair in token.dropFirst().split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            parameters[String(parts[0])] = String(parts[1]).removingPercentEncoding
        }
        return parameters
    }

    @Test func stringToSignHasAzuresThirteenLines() {
        let text = BlobServiceSignature.stringToSign(["sp": "rw", "se": "2027-01-15T08:00:00Z", "sv": "2018-03-28", "sr": "b"],
                                                     account: "hub-1", container: "fileuploads", blob: "dev1/a.txt")
        #expect(text == "rw\n\n2027-01-15T08:00:00Z\n/blob/hub-1/fileuploads/dev1/a.txt\n\n\n\n2018-03-28\n\n\n\n\n")
    }

    @Test func anIssuedSASOpensItsBlobOnly() throws {
        let token = BlobServiceSignature.issue(account: "hub-1", container: "fileuploads", blob: "dev1/a.txt", permissions: "rw",
                                               expiry: now.addingTimeInterval(3600), key: key)
        #expect(token.hasPrefix("?sv=2018-03-28&sr=b&sig="))
        let signature = try #require(BlobServiceSignature(query: query(token)))
        try signature.validate(account: "hub-1", container: "fileuploads", blob: "dev1/a.txt", required: "w", key: key, now: now)
        try signature.validate(account: "hub-1", container: "fileuploads", blob: "dev1/a.txt", required: "r", key: key, now: now)
        #expect(throws: BlobSignatureFailure.self) {
            try signature.validate(account: "hub-1", container: "fileuploads", blob: "dev2/a.txt", required: "w", key: key, now: now)
        }
        #expect(throws: BlobSignatureFailure.self) {
            try signature.validate(account: "hub-2", container: "fileuploads", blob: "dev1/a.txt", required: "w", key: key, now: now)
        }
        let otherKey = SharedAccessKey(bytes: Array(repeating: 8, count: 32))
        #expect(throws: BlobSignatureFailure.self) {
            try signature.validate(account: "hub-1", container: "fileuploads", blob: "dev1/a.txt", required: "w", key: otherKey, now: now)
        }
        let deletion = #expect(throws: BlobSignatureFailure.self) {
            try signature.validate(account: "hub-1", container: "fileuploads", blob: "dev1/a.txt", required: "d", key: key, now: now)
        }
        #expect(deletion?.code == "AuthorizationPermissionMismatch")
    }

    @Test func expiredOrAlteredTokensAreRefused() throws {
        let token = BlobServiceSignature.issue(account: "hub-1", container: "c", blob: "d/x", permissions: "r", expiry: now.addingTimeInterval(60),
                                               key: key)
        let signature = try #require(BlobServiceSignature(query: query(token)))
        let expired = #expect(throws: BlobSignatureFailure.self) {
            try signature.validate(account: "hub-1", container: "c", blob: "d/x", required: "r", key: key, now: now.addingTimeInterval(61))
        }
        #expect(expired?.code == "AuthenticationFailed")
        var widened = query(token)
        widened["sp"] = "rw"
        #expect(throws: BlobSignatureFailure.self) {
            try #require(BlobServiceSignature(query: widened)).validate(account: "hub-1", container: "c", blob: "d/x", required: "w", key: key, now: now)
        }
        var extended = query(token)
        extended["se"] = "2099-01-01T00:00:00Z"
        #expect(throws: BlobSignatureFailure.self) {
            try #require(BlobServiceSignature(query: extended)).validate(account: "hub-1", container: "c", blob: "d/x", required: "r", key: key, now: now)
        }
        #expect(BlobServiceSignature(query: ["sv": "2018-03-28"]) == nil)
    }
}
