import Foundation
import Logging
import MQTTCodec
import Hub
import NIOSSL
import PKI
import Provisioning
import SwiftASN1
import X509

/// Admits DPS MQTT clients: username `{idScope}/registrations/{registrationId}/api-version=…`, client id = the
/// registration id, and either a SAS password (symmetric key) or a TLS client certificate (X.509).
public struct DPSConnectAuthenticator: MQTTConnectAuthenticator {
    let idScope: String
    let attestation: DPSAttestation
    let registrations: RegistrationService
    let rateLimiter: RegistrationRateLimiter
    let sessions: AuthorizedSessionRegistry
    let unauthenticatedLimiter: SourceRateLimiter?
    let logger: Logger
    let now: @Sendable () -> Date

    /// Creates the authenticator. `revocation` re-checks the client certificate before each register on an open
    /// session; `sessions` is where open sessions are registered so lapsed credentials close them;
    /// `unauthenticatedLimiter` is charged a refused attestation, per client address.
    public init(idScope: String, repository: any EnrollmentRepository, registrations: RegistrationService,
                rateLimiter: RegistrationRateLimiter, logger: Logger, now: @escaping @Sendable () -> Date = Date.init,
                operationalCertificates: OperationalCertificateAttestor? = nil,
                revocation: (any PresentedCertificateChecking)? = nil,
                sessions: AuthorizedSessionRegistry = AuthorizedSessionRegistry(),
                unauthenticatedLimiter: SourceRateLimiter? = nil) {
        self.idScope = idScope
        self.attestation = DPSAttestation(
            repository: repository,
            symmetricKeys: SymmetricKeyAttestor(repository: repository, idScope: idScope),
            certificates: X509Attestor(repository: repository, operationalCertificates: operationalCertificates),
            revocation: revocation, now: now)
        self.registrations = registrations
        self.rateLimiter = rateLimiter
        self.sessions = sessions
        self.unauthenticatedLimiter = unauthenticatedLimiter
        self.logger = logger
        self.now = now
    }

    /// Attests the device; bad credentials get CONNACK 5, storage trouble CONNACK 3. An admitted session is bound to
    /// its registration id, enrollment and certificate, and closes when its token or certificate expires.
    public func authenticate(_ request: MQTTConnectRequest) async -> MQTTConnectDecision {
        let connect = request.connect
        guard let username = connect.username, let registrationId = Self.registrationId(username: username, idScope: idScope) else {
            return .refuse(.notAuthorized, reason: "username is not {idScope}/registrations/{registrationId}/api-version=…")
        }
        guard registrationId == connect.clientIdentifier else {
            return .refuse(.identifierRejected, reason: "client id differs from the registration id in the username")
        }
        var logger = self.logger
        logger[metadataKey: "dps.registration_id"] = "\(registrationId)"
        do {
            let credential: DPSCredential
            let expiry: Date?
            if let password = connect.password, !password.isEmpty {
                let token = String(decoding: password, as: UTF8.self)
                credential = .sharedAccessSignature(token)
                expiry = HubShard.tokenExpiry(token)
            } else if !request.presentedCertificates.isEmpty {
                let chain = try request.presentedCertificates.map { try Certificate(derEncoded: $0.toDERBytes()) }
                credential = .certificateChain(chain)
                expiry = chain.first?.notValidAfter
            } else {
                return .refuse(.notAuthorized, reason: "neither a SAS token nor a client certificate")
            }
            let device = try await attestation.attest(registrationId: registrationId, credential: credential, checkRevocation: false)
            let outbound = request.outbound
            let binding = SessionBinding(endpoint: .dps, identity: registrationId, enrollment: DPSAttestation.enrollment(of: device),
                                         certificateSerial: credential.certificateSerial)
            let registration = sessions.register(binding) { outbound.close() }
            if let expiry { SessionExpiry.closeAtExpiry(outbound, expiry: expiry, now: now()) }
            let session = DPSSession(device: device, credential: credential, expiry: expiry, attestation: attestation,
                                     apiVersion: Self.apiVersion(username: username),
                                     registrations: registrations, rateLimiter: rateLimiter,
                                     outbound: outbound, sessions: sessions, registration: registration, logger: logger)
            return .accept(session, sessionPresent: false)
        } catch let error as ProvisioningError where error.status == 401 {
            // Refused attestations are unauthenticated work, charged to the client's address: past its budget the
            // address gets "server unavailable" (the SDKs back off) while other devices are unaffected.
            if unauthenticatedLimiter?.admit(source: ConnectionLimitHandler.sourceKey(request.remoteAddress)) != nil {
                return .refuse(.serverUnavailable, reason: "too many failed connections from this address")
            }
            return .refuse(.notAuthorized, reason: error.message)
        } catch {
            logger.error("DPS attestation failed", metadata: ["dps.error": "\(error)"])
            return .refuse(.serverUnavailable, reason: "attestation could not complete")
        }
    }

    /// The `api-version` parameter of a DPS username.
    static func apiVersion(username: String) -> String? {
        guard let query = username.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false).dropFirst(3).first else { return nil }
        for pair in query.split(separator: "&") where pair.hasPrefix("api-version=") {
            return String(pair.dropFirst("api-version=".count))
        }
        return nil
    }

    /// The registration id of a DPS username, when its scope is ours.
    static func registrationId(username: String, idScope: String) -> String? {
        let parts = username.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count >= 3, parts[0] == idScope, parts[1] == "registrations", !parts[2].isEmpty else { return nil }
        return String(parts[2])
    }
}
