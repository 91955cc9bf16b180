import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PKI
import X509

/// The bodies EST answers with.
enum ESTResponse {
    /// The realm of the Basic challenge.
    static let realm = "Provisio EST"

    /// 200 with a base64 certs-only PKCS#7 (RFC 7030 §4.1.3, §4.2.3), in 64-character lines.
    static func certsOnly(_ certificates: [Certificate]) throws -> Response {
        let der = try CertsOnlySignedData(certificates: certificates).derBytes()
        let text = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed]) + "\n"
        var headers = HTTPFields()
        headers[.contentType] = "application/pkcs7-mime; smime-type=certs-only"
        headers[HTTPField.Name("Content-Transfer-Encoding")!] = "base64"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// A plain-text refusal; 401 carries the Basic challenge.
    static func refusal(_ error: ESTError) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        if error.status == .unauthorized {
            headers[.wwwAuthenticate] = "Basic realm=\"\(realm)\", charset=\"UTF-8\""
        }
        if let retryAfter = error.retryAfter {
            headers[.retryAfter] = String(retryAfter)
        }
        return Response(status: error.status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: error.message + "\n")))
    }
}
