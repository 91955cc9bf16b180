import AMQPCodec
import Provisioning

/// What drives one DPS AMQP connection's loop: received frames, the end of the stream, clock ticks, finished work, and
/// a credential lapse reported from outside.
enum DPSAMQPConnectionInput: Sendable {
    case received(AMQPInbound)
    case ended((any Error)?)
    case tick
    case completed(DPSAMQPWorkResult)
    /// The enrollment or certificate that admitted the connection was disabled or revoked.
    case lapsed
}

/// Work the connection started (attestation, TPM challenge, a request), finished.
enum DPSAMQPWorkResult: Sendable {
    /// SASL PLAIN or the TPM's final response was checked.
    case authenticated(Result<DPSAMQPIdentity, ProvisioningError>)
    /// The TPM challenge (the `authenticationKey` blob) was made, or refused.
    case challenged(Result<[UInt8], ProvisioningError>)
    /// The TLS client certificate was attested for a registration id.
    case certificateAttested(Result<DPSAMQPIdentity, ProvisioningError>)
    /// A request was answered: a reply to send, or a refusal for its disposition (`closing`: the credential lapsed).
    case answered(DPSAMQPPendingRequest, DPSAMQPAnswer)
}

/// A request the connection accepted from the wire and works on, in arrival order.
struct DPSAMQPPendingRequest: Sendable {
    var link: AMQPLinkID
    var deliveryId: UInt32
    var settled: Bool
    var request: DPSAMQPRequest
    /// The request link's `com.microsoft:api-version` (decides whether a CSR may be sent).
    var apiVersion: String?
}

/// How a request ends.
enum DPSAMQPAnswer: Sendable {
    /// Accept it and send this reply.
    case reply(AMQPMessage)
    /// Reject it with the DPS error JSON as the error description; `retryAfter` for throttling.
    case reject(ProvisioningError, retryAfter: Int?, closing: Bool)
}

/// Work to run concurrently with the connection loop; its result is fed back as an input.
struct DPSAMQPWork: Sendable {
    let run: @Sendable () async -> DPSAMQPWorkResult
}
