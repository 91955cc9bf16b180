import Foundation
import Logging
import Hummingbird
import Provisioning

/// The TPM half of the device REST API: a `register` carrying `tpm` keys and no Authorization is answered with the
/// challenge (401 + `authenticationKey`); requests with a SAS for a TPM enrollment are checked against the key the
/// TPM imported.
extension DPSDeviceRoutes {
    /// The `tpm` member of a `DeviceRegistration` body.
    struct TPMRegistrationBody: Decodable {
        struct Keys: Decodable {
            var endorsementKey: String?
            var storageRootKey: String?
        }

        var tpm: Keys?
    }

    /// What the 401 of a TPM challenge carries (the device SDKs read `authenticationKey`).
    struct TPMChallengeBody: Encodable {
        var authenticationKey: String
        var keyName = "registration"
    }

    /// The challenge response when this request asks for one (a `tpm` body without Authorization), else nil.
    /// The body must already be collected, so it can be read again.
    func tpmChallenge(registrationId: String, request: Request, context: ProvisioRequestContext) async throws -> Response? {
        guard request.headers[.authorization] == nil else { return nil }
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        guard buffer.readableBytes > 0,
              let keys = (try? JSONDecoder().decode(TPMRegistrationBody.self, from: Data(buffer.readableBytesView)))?.tpm
        else { return nil }
        // Each challenge costs two RSA operations and is unauthenticated: it is charged to the client's address, never
        // to the registration budget authenticated devices draw on.
        let source = ConnectionLimitHandler.sourceAddress(of: context.channel)
        if let wait = unauthenticatedLimiter.admit(source: source) {
            var response = try Self.json(DPSErrorBody(.throttled("too many TPM challenges from this address; retry later")),
                                         status: .tooManyRequests)
            response.headers[.retryAfter] = String(wait)
            return response
        }
        do {
            guard let endorsementKey = keys.endorsementKey, !endorsementKey.isEmpty else {
                throw ProvisioningError.badRequest("tpm.endorsementKey is required")
            }
            let key = try await tpm.challenge(registrationId: registrationId, endorsementKey: endorsementKey,
                                              storageRootKey: keys.storageRootKey, source: source, now: now())
            context.logger.info("TPM challenge issued", metadata: ["dps.registration_id": "\(registrationId)"])
            return try Self.json(TPMChallengeBody(authenticationKey: key.base64), status: .unauthorized)
        } catch let error as ProvisioningError {
            throw ServiceError(error)
        }
    }

    /// Checks the credential of a poll or status lookup: the TPM-signed SAS of a TPM enrollment, else as `attest`.
    func authenticate(registrationId: String, request: Request, context: ProvisioRequestContext) async throws {
        guard let authorization = request.headers[.authorization] else {
            _ = try await attest(registrationId: registrationId, request: request, context: context)
            return
        }
        do {
            let lookup = try await repository.enrollmentLookup(registrationId: registrationId, groups: .symmetricKey)
            if lookup.individual?.attestation.type == .tpm {
                _ = try await tpm.authenticate(registrationId: registrationId, token: authorization, now: now())
            } else {
                _ = try symmetricKeys.attest(registrationId: registrationId, token: authorization, lookup: lookup, now: now())
            }
        } catch let error as ProvisioningError {
            throw ServiceError(error)
        }
    }
}
