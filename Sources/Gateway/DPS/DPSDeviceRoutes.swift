import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOSSL
import Provisioning
import SwiftASN1
import X509

/// The DPS device REST API (register, operation status, status lookup) for clients that use HTTPS instead
/// of MQTT. Devices authenticate with a SAS `Authorization` header, their TLS client certificate, or their TPM
/// (challenge first, then a SAS signed inside the TPM).
public struct DPSDeviceRoutes: Sendable {
    let idScope: String
    let repository: any EnrollmentRepository
    let symmetricKeys: SymmetricKeyAttestor
    let certificates: X509Attestor
    let operationalCertificates: OperationalCertificateAttestor?
    let tpm: TPMAttestor
    let registrations: RegistrationService
    let rateLimiter: RegistrationRateLimiter
    let unauthenticatedLimiter: SourceRateLimiter
    let now: @Sendable () -> Date

    /// Creates the routes for one ID scope. `rateLimiter` is the budget of authenticated registrations;
    /// `unauthenticatedLimiter` charges work done before authentication (TPM challenges) to the client's address.
    public init(idScope: String, repository: any EnrollmentRepository, registrations: RegistrationService,
                rateLimiter: RegistrationRateLimiter,
                unauthenticatedLimiter: SourceRateLimiter = SourceRateLimiter(ratePerSecond: 10, burst: 20),
                tpmChallenges: TPMChallengeStore = TPMChallengeStore(),
                now: @escaping @Sendable () -> Date = Date.init, tpmPolicy: TPMAttestationPolicy = .none,
                operationalCertificates: OperationalCertificateAttestor? = nil) {
        self.idScope = idScope
        self.repository = repository
        self.symmetricKeys = SymmetricKeyAttestor(repository: repository, idScope: idScope)
        self.certificates = X509Attestor(repository: repository, operationalCertificates: operationalCertificates)
        self.operationalCertificates = operationalCertificates
        self.tpm = TPMAttestor(repository: repository, idScope: idScope, challenges: tpmChallenges, policy: tpmPolicy)
        self.registrations = registrations
        self.rateLimiter = rateLimiter
        self.unauthenticatedLimiter = unauthenticatedLimiter
        self.now = now
    }

    /// Registers the routes.
    public func add(to router: Router<ProvisioRequestContext>) {
        router.put(":scope/registrations/:registrationId/register") { request, context in
            try await register(request, context: context)
        }
        router.get(":scope/registrations/:registrationId/operations/:operationId") { request, context in
            try await operationStatus(request, context: context)
        }
        router.post(":scope/registrations/:registrationId") { request, context in
            try await statusLookup(request, context: context)
        }
    }

    private func register(_ request: Request, context: ProvisioRequestContext) async throws -> Response {
        var request = request
        _ = try await request.collectBody(upTo: context.maxUploadSize)  // Read twice: as a DeviceRegistration and for `tpm`.
        let registrationId = try await scopedRegistrationId(context)
        let body = try await Self.decodeBody(request, context: context)
        if let id = body.registrationId, id != registrationId {
            throw ServiceError(ProvisioningError.badRequest("registrationId in the body differs from the URL"))
        }
        if let challenge = try await tpmChallenge(registrationId: registrationId, request: request, context: context) {
            return challenge
        }
        let device: AttestedDevice
        do {
            device = try await attest(registrationId: registrationId, request: request, context: context)
        } catch let error as ServiceError where error.status == .unauthorized {
            // A refused attestation is unauthenticated work: charged to the client's address, so a flood of bad
            // credentials from one address is throttled without touching the budget other devices draw on.
            if let wait = unauthenticatedLimiter.admit(source: ConnectionLimitHandler.sourceAddress(of: context.channel)) {
                var response = try Self.json(DPSErrorBody(.throttled("too many failed registrations from this address; retry later")),
                                             status: .tooManyRequests)
                response.headers[.retryAfter] = String(wait)
                return response
            }
            throw error
        }
        let csr: [UInt8]?
        do {
            csr = try body.certificateSigningRequest(apiVersion: request.uri.queryParameters["api-version"].map(String.init))
        } catch let error as ProvisioningError {
            throw ServiceError(error)
        }
        if let wait = rateLimiter.admit() {
            var response = try Self.json(DPSErrorBody(.throttled("registration rate limit reached; retry later")), status: .tooManyRequests)
            response.headers[.retryAfter] = String(wait)
            return response
        }
        let operationId = OperationIdentifier.make()
        do {
            _ = try await registrations.register(device, payload: body.payload, operationId: operationId, csr: csr)
        } catch let error as ProvisioningError {
            throw ServiceError(error)
        }
        var response = try Self.json(RegistrationOperationStatus(operationId: operationId, status: .assigning), status: .accepted)
        response.headers[.retryAfter] = "1"
        response.headers[.location] = "/\(idScope)/registrations/\(registrationId)/operations/\(operationId)"
        return response
    }

    private func operationStatus(_ request: Request, context: ProvisioRequestContext) async throws -> Response {
        let registrationId = try await scopedRegistrationId(context)
        if try await !isSupersededCertificatePoll(registrationId: registrationId, request: request, context: context) {
            try await authenticate(registrationId: registrationId, request: request, context: context)
        }
        let operationId = try context.parameters.require("operationId")
        let status: RegistrationOperationStatus
        do {
            status = try await registrations.operationStatus(operationId: operationId, registrationId: registrationId)
        } catch let error as ProvisioningError {
            throw ServiceError(error)
        }
        var response = try Self.json(status, status: status.status == .assigning ? .accepted : .ok)
        if status.status == .assigning { response.headers[.retryAfter] = "1" }
        return response
    }

    private func statusLookup(_ request: Request, context: ProvisioRequestContext) async throws -> Response {
        let registrationId = try await scopedRegistrationId(context)
        let body = try await Self.decodeBody(request, context: context)
        guard body.csr == nil, body.clientCertificateCsr == nil else {
            throw ServiceError(ProvisioningError.badRequest("a status lookup must not carry a csr"))
        }
        try await authenticate(registrationId: registrationId, request: request, context: context)
        do {
            return try Self.json(try await registrations.registrationStateForLookup(registrationId: registrationId), status: .ok)
        } catch let error as ProvisioningError {
            throw ServiceError(error)
        }
    }

    /// Whether the request presents an operational certificate that a renewal just revoked as superseded: it may
    /// still poll the operation that carries its successor (the middleware lets exactly this request through).
    private func isSupersededCertificatePoll(registrationId: String, request: Request, context: ProvisioRequestContext) async throws -> Bool {
        guard request.headers[.authorization] == nil, let operationalCertificates else { return false }
        let presented = await context.presentedCertificates()
        guard !presented.isEmpty, let chain = try? presented.map({ try Certificate(derEncoded: $0.toDERBytes()) }) else { return false }
        return try await operationalCertificates.isSuperseded(registrationId: registrationId, chain: chain, now: now())
    }

    private func scopedRegistrationId(_ context: ProvisioRequestContext) async throws -> String {
        let scope = try context.parameters.require("scope")
        guard scope == idScope else { throw ServiceError(ProvisioningError.notFound("unknown ID scope \(scope)", detail: 1)) }
        let registrationId = try context.parameters.require("registrationId")
        // Refused before any attestation work: an id DPS would never accept costs no key lookup or signature check.
        do {
            try RegistrationIdentifier.validate(registrationId)
        } catch {
            throw ServiceError(error)
        }
        return registrationId
    }

    func attest(registrationId: String, request: Request, context: ProvisioRequestContext) async throws -> AttestedDevice {
        do {
            if let authorization = request.headers[.authorization] {
                // One read answers both "is this a TPM enrollment?" and, for symmetric keys, which enrollments to try.
                let lookup = try await repository.enrollmentLookup(registrationId: registrationId, groups: .symmetricKey)
                if lookup.individual?.attestation.type == .tpm {
                    return try await tpm.attest(registrationId: registrationId, token: authorization, now: now())
                }
                return try symmetricKeys.attest(registrationId: registrationId, token: authorization, lookup: lookup, now: now())
            }
            let presented = await context.presentedCertificates()
            guard !presented.isEmpty else { throw ProvisioningError.unauthorized("neither a SAS token nor a client certificate") }
            let chain = try presented.map { try Certificate(derEncoded: $0.toDERBytes()) }
            return try await certificates.attest(registrationId: registrationId, chain: chain, now: now())
        } catch let error as ProvisioningError {
            throw ServiceError(error)
        }
    }

    static func decodeBody(_ request: Request, context: ProvisioRequestContext) async throws -> DeviceRegistrationRequest {
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        guard buffer.readableBytes > 0 else { return DeviceRegistrationRequest() }
        do {
            return try JSONDecoder().decode(DeviceRegistrationRequest.self, from: Data(buffer.readableBytesView))
        } catch {
            throw ServiceError(ProvisioningError.badRequest("the body must be a JSON DeviceRegistration"))
        }
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder().encode(value))))
    }
}
