import Foundation
import NIOCore
import Provisioning

/// What every DPS AMQP connection shares: the ID scope, the attestation paths of the MQTT and HTTPS front ends, the
/// registration service and the same budgets (registrations per second, refused attestations per source address).
struct DPSAMQPEndpoint: Sendable {
    let idScope: String
    /// Symmetric keys and X.509, as the MQTT DPS session attests (and re-attests before each register).
    let attestation: DPSAttestation
    /// TPM challenges and TPM-signed SAS tokens, as the HTTPS routes check them.
    let tpm: TPMAttestor
    let registrations: RegistrationService
    let rateLimiter: RegistrationRateLimiter
    /// Charged a refused attestation or a TPM challenge per client address; nil: unlimited.
    let unauthenticatedLimiter: SourceRateLimiter?
    /// Open connections by credential, so a disabled enrollment or revoked certificate closes them.
    let sessions: AuthorizedSessionRegistry
    /// Closes a connection whose peer is silent this long (advertised as half in `open`).
    let idleTimeout: TimeAmount
    let connections = MQTTSessionRegistry()
    let now: @Sendable () -> Date
}
