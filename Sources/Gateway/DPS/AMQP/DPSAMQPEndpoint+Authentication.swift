import Foundation
import Hub
import Logging
import NIOSSL
import Provisioning
import SwiftASN1
import X509

extension DPSAMQPEndpoint {
    /// SASL PLAIN: the SAS of an individual enrollment or one derived from a group key, attested as over MQTT.
    func attestSymmetricKey(registrationId: String, token: String, logger: Logger) async -> Result<DPSAMQPIdentity, ProvisioningError> {
        let credential = DPSCredential.sharedAccessSignature(token)
        return await attested(registrationId: registrationId, logger: logger) {
            let device = try await attestation.attest(registrationId: registrationId, credential: credential, checkRevocation: false)
            return DPSAMQPIdentity(registrationId: registrationId, credential: .standard(credential), device: device,
                                   enrollment: DPSAttestation.enrollment(of: device), expiry: HubShard.tokenExpiry(token))
        }
    }

    /// X.509: the TLS client chain (leaf first), with its validity and revocation checked, for the registration id the
    /// link names.
    func attestCertificate(registrationId: String, presented: [NIOSSLCertificate], logger: Logger) async -> Result<DPSAMQPIdentity, ProvisioningError> {
        await attested(registrationId: registrationId, logger: logger) {
            let chain: [Certificate]
            do {
                chain = try presented.map { try Certificate(derEncoded: $0.toDERBytes()) }
            } catch {
                throw ProvisioningError.unauthorized("the client certificate does not parse")
            }
            let credential = DPSCredential.certificateChain(chain)
            let device = try await attestation.attest(registrationId: registrationId, credential: credential, checkRevocation: true)
            return DPSAMQPIdentity(registrationId: registrationId, credential: .standard(credential), device: device,
                                   enrollment: DPSAttestation.enrollment(of: device), expiry: chain.first?.notValidAfter)
        }
    }

    /// The TPM challenge for the EK and SRK the SASL exchange carried: the `authenticationKey` blob.
    func tpmChallenge(registrationId: String, endorsementKey: [UInt8], storageRootKey: [UInt8], source: String,
                      logger: Logger) async -> Result<[UInt8], ProvisioningError> {
        do {
            let key = try await tpm.challenge(registrationId: registrationId, endorsementKey: Data(endorsementKey).base64EncodedString(),
                                              storageRootKey: Data(storageRootKey).base64EncodedString(), source: source, now: now())
            logger.info("TPM challenge issued")
            return .success(key.bytes)
        } catch let error as ProvisioningError {
            return .failure(error)
        } catch {
            logger.error("TPM challenge failed", metadata: ["dps.error": "\(error)"])
            return .failure(.internalError())
        }
    }

    /// The SAS the TPM signed with the challenge's key (the last SASL response).
    func tpmAuthenticate(registrationId: String, token: String, logger: Logger) async -> Result<DPSAMQPIdentity, ProvisioningError> {
        await attested(registrationId: registrationId, logger: logger) {
            let enrollment = try await tpm.authenticate(registrationId: registrationId, token: token, now: now())
            return DPSAMQPIdentity(registrationId: registrationId, credential: .tpm(token: token), device: nil,
                                   enrollment: EnrollmentReference(kind: .individual, id: enrollment.registrationId),
                                   expiry: HubShard.tokenExpiry(token))
        }
    }

    private func attested(registrationId: String, logger: Logger,
                          _ operation: () async throws -> DPSAMQPIdentity) async -> Result<DPSAMQPIdentity, ProvisioningError> {
        do {
            return .success(try await operation())
        } catch let error as ProvisioningError {
            return .failure(error)
        } catch {
            logger.error("DPS attestation failed", metadata: ["dps.error": "\(error)"])
            return .failure(.internalError())
        }
    }
}
