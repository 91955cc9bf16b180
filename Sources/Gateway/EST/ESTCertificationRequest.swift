import Foundation
import Hummingbird
import PKI
import SwiftASN1
import X509

/// The PKCS#10 request of an EST enrollment: base64 DER as RFC 7030 §4.2.1 sends it (PEM is accepted too).
struct ESTCertificationRequest: Sendable {
    /// The largest body read; a CSR with an RSA-4096 key is under 2 KiB.
    static let maximumBodySize = 64 * 1024

    /// The DER encoding, as sent.
    var derBytes: [UInt8]
    /// The parsed request.
    var request: CertificateSigningRequest
    /// Its subject common name.
    var commonName: String

    /// Reads and checks the body: base64, a valid PKCS#10 request with a verifying self-signature, an allowed key
    /// and a subject CN. Anything else is 400.
    static func read(_ request: Request, context: ProvisioRequestContext) async throws -> ESTCertificationRequest {
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: maximumBodySize)
        } catch {
            throw ESTError(status: .contentTooLarge, message: "the request body exceeds \(maximumBodySize) bytes")
        }
        return try parse(String(decoding: body.readableBytesView, as: UTF8.self))
    }

    /// Parses base64 DER (line breaks allowed) or a PEM CERTIFICATE REQUEST.
    static func parse(_ text: String) throws -> ESTCertificationRequest {
        let csr: CertificateSigningRequest
        let der: [UInt8]
        do {
            if text.contains("-----BEGIN") {
                csr = try CSRPolicy.parse(pemEncoded: text)
                der = try PEMDocument(pemString: text).derBytes
            } else {
                guard let decoded = Data(base64Encoded: text.filter { !$0.isWhitespace }), !decoded.isEmpty else {
                    throw ESTError.badRequest("the body must be a base64-encoded PKCS#10 request")
                }
                der = Array(decoded)
                csr = try CSRPolicy.parse(derEncoded: der)
            }
            try CSRPolicy.standard.check(csr)
            return ESTCertificationRequest(derBytes: der, request: csr, commonName: try CSRPolicy.commonName(of: csr))
        } catch let error as PKIError {
            throw ESTError.badRequest(error.message)
        } catch let error as ESTError {
            throw error
        } catch {
            throw ESTError.badRequest("the body is not a PKCS#10 request")
        }
    }
}
