import AMQPCodec
import Foundation
import Logging
import Provisioning

extension DPSAMQPEndpoint {
    /// Answers one request of an authenticated device, as the MQTT DPS session does: a register attests the device
    /// again from its credential, draws on the registration budget and starts the assignment; a status poll reads the
    /// operation. Refusals of the request itself (malformed, unauthorized, throttled) reject it; a registration that
    /// fails is accepted and answered `failed`.
    func answer(_ pending: DPSAMQPPendingRequest, identity: DPSAMQPIdentity, logger: Logger) async -> DPSAMQPAnswer {
        let correlationId = pending.request.correlationId
        switch pending.request.operation {
        case .register(let body):
            let device: AttestedDevice
            do {
                device = try await reattest(identity)
            } catch let error as ProvisioningError {
                if error.status == 401 {
                    logger.notice("register refused on an open connection: its credential lapsed", metadata: ["dps.reason": "\(error.message)"])
                }
                return .reject(error, retryAfter: nil, closing: error.status == 401)
            } catch {
                logger.error("re-attestation failed", metadata: ["dps.error": "\(error)"])
                return .reject(.internalError(), retryAfter: 5, closing: false)
            }
            if let id = body.registrationId, id != identity.registrationId {
                return .reject(.badRequest("registrationId in the body differs from the connection's"), retryAfter: nil, closing: false)
            }
            let csr: [UInt8]?
            do {
                csr = try body.certificateSigningRequest(apiVersion: pending.apiVersion)
            } catch let error as ProvisioningError {
                return .reject(error, retryAfter: nil, closing: false)
            } catch {
                return .reject(.badRequest("the csr could not be read"), retryAfter: nil, closing: false)
            }
            if let wait = rateLimiter.admit() {
                return .reject(.throttled("registration rate limit reached; retry later"), retryAfter: wait, closing: false)
            }
            let operationId = OperationIdentifier.make()
            do {
                let record = try await registrations.register(device, payload: body.payload, operationId: operationId, csr: csr)
                logger.info("device registered", metadata: [
                    "dps.status": "\(record.state.status.rawValue)", "dps.assigned_hub": "\(record.state.assignedHub ?? "-")",
                ])
                return reply { try DPSAMQPReply.status(RegistrationOperationStatus(operationId: operationId, status: .assigning),
                                                       correlationId: correlationId) }
            } catch let error as ProvisioningError {
                return reply { try DPSAMQPReply.failed(error, operationId: operationId, correlationId: correlationId) }
            } catch {
                logger.error("registration failed", metadata: ["dps.error": "\(error)"])
                return reply { try DPSAMQPReply.failed(.internalError(), operationId: operationId, correlationId: correlationId) }
            }
        case .operationStatus(let operationId):
            do {
                let status = try await registrations.operationStatus(operationId: operationId, registrationId: identity.registrationId)
                return reply { try DPSAMQPReply.status(status, correlationId: correlationId) }
            } catch let error as ProvisioningError {
                return reply { try DPSAMQPReply.failed(error, operationId: operationId, correlationId: correlationId) }
            } catch {
                logger.error("operation status failed", metadata: ["dps.error": "\(error)"])
                return .reject(.internalError(), retryAfter: 5, closing: false)
            }
        }
    }

    /// The device again, from the connection's credential (a TPM's SAS makes its hub key anew, as over HTTPS).
    func reattest(_ identity: DPSAMQPIdentity) async throws -> AttestedDevice {
        switch identity.credential {
        case .standard(let credential):
            guard let device = identity.device else { throw ProvisioningError.unauthorized("the connection was not attested") }
            return try await attestation.reattest(device, credential: credential, expiry: identity.expiry)
        case .tpm(let token):
            return try await tpm.attest(registrationId: identity.registrationId, token: token, now: now())
        }
    }

    private func reply(_ make: () throws -> AMQPMessage) -> DPSAMQPAnswer {
        do {
            return .reply(try make())
        } catch {
            return .reject(.internalError(), retryAfter: 5, closing: false)
        }
    }
}
