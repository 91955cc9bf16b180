import Foundation
import X509

/// The OCSP responder core (RFC 6960): parses a request, finds the CA its CertIDs name (SHA-1, SHA-256, SHA-384
/// or SHA-512 hashes), asks `status` about each serial and returns the DER OCSPResponse, signed by that CA or by
/// the delegated responder `signers` picks for it.
///
/// Never throws: a malformed request is `malformedRequest`, CertIDs naming no CA here are `unauthorized`,
/// a failing lookup or signer is `internalError`. CertIDs of a second CA in the same request are answered
/// `unknown`, since one response has one signer.
public struct OCSPResponder: Sendable {
    /// The CAs this responder answers for.
    public let authorities: [CertificateAuthority]
    /// How long an answer may be cached: the gap between thisUpdate and nextUpdate.
    public let validity: TimeInterval
    /// Picks the signer of answers about a CA's certificates; nil means every CA signs its own.
    public let signers: DelegatedOCSPSigner?

    /// Creates a responder.
    public init(authorities: [CertificateAuthority], validity: TimeInterval, signers: DelegatedOCSPSigner? = nil) {
        self.authorities = authorities
        self.validity = validity
        self.signers = signers
    }

    /// Answers `requestDER` at `now`.
    public func respond(
        to requestDER: [UInt8],
        now: Date,
        status: (_ serialNumber: String, _ authority: CertificateAuthority) async throws -> OCSPCertificateStatus
    ) async -> [UInt8] {
        let request: OCSPRequest
        do {
            request = try OCSPRequest(derEncoded: requestDER)
        } catch {
            return OCSPResponseStatus.malformedRequest.unsignedResponse
        }
        let matches = request.certIDs.map { certID in authorities.first { certID.names($0) } }
        guard let signer = matches.compactMap({ $0 }).first else {
            return OCSPResponseStatus.unauthorized.unsignedResponse
        }
        do {
            var answers: [BasicOCSPResponseBuilder.Answer] = []
            for (certID, authority) in zip(request.certIDs, matches) {
                let answer: OCSPCertificateStatus
                if let authority, authority.name == signer.name {
                    answer = try await status(certID.canonicalSerialNumber, authority)
                } else {
                    answer = .unknown
                }
                answers.append(.init(certID: certID, status: answer))
            }
            let responseSigner = try await signers?.responseSigner(for: signer, now: now) ?? OCSPResponseSigner(authority: signer)
            // An answer must not outlive the certificate that vouches for it.
            let nextUpdate = min(now.addingTimeInterval(validity), responseSigner.certificate.notValidAfter)
            return try await BasicOCSPResponseBuilder(
                signer: responseSigner, answers: answers, nonceExtensionValue: request.nonceExtensionValue,
                producedAt: now, nextUpdate: nextUpdate
            ).build()
        } catch {
            return OCSPResponseStatus.internalError.unsignedResponse
        }
    }
}
