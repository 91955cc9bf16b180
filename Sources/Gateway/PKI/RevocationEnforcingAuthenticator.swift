import Foundation
import Logging
import MQTTCodec
import NIOSSL
import PKI
import SwiftASN1
import X509

/// Puts a revocation and validity check in front of another MQTT authenticator: a client presenting an expired,
/// not-yet-valid or revoked certificate is refused (CONNACK 5) before attestation or device authentication runs.
/// If the check itself cannot complete, the client is refused with CONNACK 3 rather than admitted.
public struct RevocationEnforcingAuthenticator: MQTTConnectAuthenticator {
    let base: any MQTTConnectAuthenticator
    let checker: any PresentedCertificateChecking
    let logger: Logger
    let now: @Sendable () -> Date

    /// Wraps `base`.
    public init(_ base: any MQTTConnectAuthenticator, checker: any PresentedCertificateChecking, logger: Logger,
                now: @escaping @Sendable () -> Date = Date.init) {
        self.base = base
        self.checker = checker
        self.logger = logger
        self.now = now
    }

    /// Checks the presented chain, then defers to the wrapped authenticator.
    public func authenticate(_ request: MQTTConnectRequest) async -> MQTTConnectDecision {
        guard !request.presentedCertificates.isEmpty,
              let chain = try? request.presentedCertificates.map({ try Certificate(derEncoded: $0.toDERBytes()) })
        else { return await base.authenticate(request) }
        do {
            let verdict = try await checker.verdict(for: chain, now: now())
            guard verdict.isAcceptable else {
                return .refuse(.notAuthorized, reason: verdict.description)
            }
        } catch {
            logger.error("certificate revocation check failed", metadata: ["pki.error": "\(error)"])
            return .refuse(.serverUnavailable, reason: "the certificate's revocation status could not be checked")
        }
        return await base.authenticate(request)
    }
}
