import Foundation
import Hummingbird
import Logging
import NIOCore
import PKI
import NIOSSL
import Provisioning
import SwiftASN1
import X509

/// EST (RFC 7030) on the DPS HTTPS listener, for clients that are not DPS devices: `GET cacerts`, `POST
/// simpleenroll`, `POST simplereenroll` and `GET csrattrs` under `/.well-known/est/`, and the same under
/// `/.well-known/est/{label}/` (labels are accepted and all name the current issuing CA).
///
/// Certificates come from the same issuer as DPS registrations with a CSR, so they carry CDP/AIA and land in the
/// inventory with their device and enrollment: revocation by device or enrollment covers them. Refusals are plain
/// text: 400 for a body that is not a base64 PKCS#10 request or that the CA policy refuses, 401 (with a Basic
/// challenge) for missing or wrong credentials, 403 for a disabled enrollment, a name mismatch or an unusable
/// certificate on re-enrollment.
public struct ESTRoutes: Sendable {
    /// The path prefix RFC 7030 §3.2.2 fixes.
    public static let pathPrefix = "/.well-known/est"

    let authenticator: ESTEnrollmentAuthenticator
    let reenrollment: ESTReenrollment
    let issuer: any OperationalCertificateIssuer
    let caCertificates: @Sendable () async throws -> [Certificate]
    let rateLimiter: RegistrationRateLimiter?
    let unauthenticatedLimiter: SourceRateLimiter?
    let now: @Sendable () -> Date

    /// Creates the routes.
    ///
    /// - Parameters:
    ///   - repository: the enrollments credentials are checked against.
    ///   - issuer: issues the certificate for a CSR (CN = registration id, CSR policy, inventory).
    ///   - inventory: where re-enrollment finds the presented certificate.
    ///   - checker: judges a presented certificate's validity and revocation.
    ///   - caCertificates: the issuing CA chain `cacerts` returns (issuing CA and root).
    ///   - issuingCertificates: the issuing CAs that currently verify; re-enrollment accepts only their certificates.
    ///   - rateLimiter: the DPS registration rate, shared: an authenticated enrollment takes a token before issuance.
    ///   - unauthenticatedLimiter: charged per client address before the credential is checked, so guessing keys (or
    ///     flooding) from one address is slow and never spends the budget of authenticated devices.
    public init(repository: any EnrollmentRepository, issuer: any OperationalCertificateIssuer, inventory: any RevocationStore,
                checker: any PresentedCertificateChecking, caCertificates: @escaping @Sendable () async throws -> [Certificate],
                issuingCertificates: @escaping @Sendable () -> [Certificate], rateLimiter: RegistrationRateLimiter? = nil,
                unauthenticatedLimiter: SourceRateLimiter? = nil, now: @escaping @Sendable () -> Date = Date.init) {
        self.rateLimiter = rateLimiter
        self.unauthenticatedLimiter = unauthenticatedLimiter
        self.authenticator = ESTEnrollmentAuthenticator(repository: repository)
        self.reenrollment = ESTReenrollment(repository: repository, inventory: inventory, checker: checker,
                                            issuingCertificates: issuingCertificates)
        self.issuer = issuer
        self.caCertificates = caCertificates
        self.now = now
    }

    /// Registers the routes, with and without a label.
    public func add(to router: Router<ProvisioRequestContext>) {
        for prefix in [".well-known/est", ".well-known/est/:label"] {
            router.get("\(prefix)/cacerts") { _, context in
                await respond(context) { try await cacerts() }
            }
            router.post("\(prefix)/simpleenroll") { request, context in
                await respond(context) { try await simpleEnroll(request, context: context) }
            }
            router.post("\(prefix)/simplereenroll") { request, context in
                await respond(context) { try await simpleReenroll(request, context: context) }
            }
            router.get("\(prefix)/csrattrs") { _, _ in
                // RFC 7030 §4.5.2: no attributes are required, which is 204 (or 404).
                Response(status: .noContent)
            }
        }
    }

    private func cacerts() async throws -> Response {
        try ESTResponse.certsOnly(try await caCertificates())
    }

    /// Before the credential is checked: the client's address pays.
    private func admitSource(_ context: ProvisioRequestContext) throws {
        let source = ConnectionLimitHandler.sourceAddress(of: context.channel)
        if let wait = unauthenticatedLimiter?.admit(source: source) { throw ESTError.throttled(retryAfter: wait) }
    }

    /// After authentication, before issuance: the registration budget pays.
    private func admit() throws {
        if let wait = rateLimiter?.admit() { throw ESTError.throttled(retryAfter: wait) }
    }

    private func simpleEnroll(_ request: Request, context: ProvisioRequestContext) async throws -> Response {
        try admitSource(context)
        let client: ESTClient
        if let authorization = request.headers[.authorization] {
            guard let credentials = ESTBasicCredentials(authorization: authorization) else {
                throw ESTError.unauthorized("only HTTP Basic credentials or a TLS client certificate are accepted")
            }
            client = try await authenticator.authenticate(credentials)
        } else {
            let chain = try await presentedChain(context)
            guard !chain.isEmpty else { throw ESTError.unauthorized("authenticate with HTTP Basic or a TLS client certificate") }
            try await reenrollment.requireUsable(chain, now: now())
            client = try await authenticator.authenticate(chain: chain, now: now())
        }
        let csr = try await ESTCertificationRequest.read(request, context: context)
        guard csr.commonName == client.registrationId else {
            throw ESTError.forbidden("the CSR's subject CN must be the registration id \(client.registrationId)")
        }
        try admit()
        return try await issue(csr, for: client, context: context)
    }

    private func simpleReenroll(_ request: Request, context: ProvisioRequestContext) async throws -> Response {
        try admitSource(context)
        let chain = try await presentedChain(context)
        guard !chain.isEmpty else {
            throw ESTError.unauthorized("re-enrollment is authenticated by the current certificate over TLS")
        }
        let csr = try await ESTCertificationRequest.read(request, context: context)
        let client = try await reenrollment.client(presenting: chain, csr: csr, now: now())
        try admit()
        return try await issue(csr, for: client, context: context)
    }

    private func issue(_ csr: ESTCertificationRequest, for client: ESTClient, context: ProvisioRequestContext) async throws -> Response {
        let isIndividual = client.enrollmentId.caseInsensitiveCompare(client.registrationId) == .orderedSame
        let issuance = OperationalCertificateRequest(csr: csr.derBytes, registrationId: client.registrationId, deviceId: client.deviceId,
                                                     enrollmentGroupId: isIndividual ? nil : client.enrollmentId)
        // The client asks for the certificate: its audit entries name it as the actor.
        let chain: [[UInt8]] = try await AuditActor.$current.withValue(AuditActor.device(registrationId: client.registrationId)) {
            let chain: [[UInt8]]
            do {
                chain = try await issuer.issue(issuance)
            } catch let error as ProvisioningError where error.status == 400 {
                throw ESTError.badRequest(error.message)
            }
            // The reply carries the new certificate; the earlier ones are superseded now (kept or revoked per policy).
            try await issuer.supersedePredecessors(ofLeaf: chain[0], request: issuance)
            return chain
        }
        let leaf = try Certificate(derEncoded: chain[0])
        context.logger.info("EST certificate issued", metadata: [
            "dps.registration_id": "\(client.registrationId)", "pki.serial": "\(SerialNumberText.canonical(bytes: leaf.serialNumber.bytes))",
        ])
        return try ESTResponse.certsOnly([leaf])
    }

    private func presentedChain(_ context: ProvisioRequestContext) async throws -> [Certificate] {
        do {
            return try await context.presentedCertificates().map { try Certificate(derEncoded: $0.toDERBytes()) }
        } catch {
            throw ESTError.unauthorized("the client certificate cannot be read")
        }
    }

    private func respond(_ context: ProvisioRequestContext, _ body: () async throws -> Response) async -> Response {
        do {
            return try await body()
        } catch let error as ESTError {
            return ESTResponse.refusal(error)
        } catch is NIOTooManyBytesError {
            return ESTResponse.refusal(ESTError(status: .contentTooLarge,
                                                message: "the request body exceeds \(ProvisioRequestContext.maximumBodyBytes) bytes"))
        } catch {
            context.logger.error("EST request failed", metadata: ["gateway.error": "\(error)"])
            return ESTResponse.refusal(ESTError(status: .internalServerError, message: "internal error"))
        }
    }
}
