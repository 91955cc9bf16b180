import Foundation
import Hummingbird
import Logging
import NIOSSL
import PKI
import SwiftASN1
import X509

/// The HTTPS counterpart of `RevocationEnforcingAuthenticator`: a request whose TLS client certificate is expired,
/// not yet valid or revoked gets 401 (401002) before any route sees it.
public struct RevocationEnforcingMiddleware: RouterMiddleware {
    public typealias Context = ProvisioRequestContext

    let checker: any PresentedCertificateChecking
    let now: @Sendable () -> Date

    /// Creates the middleware.
    public init(checker: any PresentedCertificateChecking, now: @escaping @Sendable () -> Date = Date.init) {
        self.checker = checker
        self.now = now
    }

    /// Checks the presented chain, if any, then calls the route.
    public func handle(_ request: Request, context: Context,
                       next: (Request, Context) async throws -> Response) async throws -> Response {
        // EST judges the presented certificate itself and answers 403 in its own plain-text form (RFC 7030).
        if request.uri.path.hasPrefix(ESTRoutes.pathPrefix + "/") {
            return try await next(request, context)
        }
        let presented = await context.presentedCertificates()
        if !presented.isEmpty, let chain = try? presented.map({ try Certificate(derEncoded: $0.toDERBytes()) }) {
            let verdict: PresentedCertificateVerdict
            do {
                verdict = try await checker.verdict(for: chain, now: now())
            } catch {
                context.logger.error("certificate revocation check failed", metadata: ["pki.error": "\(error)"])
                throw ServiceError(status: .serviceUnavailable, errorCode: 503_000,
                                   message: "the certificate's revocation status could not be checked")
            }
            // A certificate a renewal revoked as superseded may still poll the renewal's operation status (GET
            // /{scope}/registrations/{id}/operations/{op}); DPSDeviceRoutes checks it is that device's certificate.
            let segments = request.uri.path.split(separator: "/")
            if case .revoked(let revocation) = verdict, revocation.reason == .superseded, request.method == .get,
               segments.count == 5, segments[1] == "registrations", segments[3] == "operations" {
                return try await next(request, context)
            }
            guard verdict.isAcceptable else {
                throw ServiceError(status: .unauthorized, errorCode: 401_002, message: verdict.description)
            }
        }
        return try await next(request, context)
    }
}
