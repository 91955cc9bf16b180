/// The outer status of an OCSPResponse (RFC 6960 §4.2.1); only `successful` carries a signed BasicOCSPResponse.
public enum OCSPResponseStatus: Int, Sendable, Equatable {
    /// A signed answer follows.
    case successful = 0
    /// The request could not be parsed.
    case malformedRequest = 1
    /// The responder failed.
    case internalError = 2
    /// Try again later.
    case tryLater = 3
    /// The request must be signed.
    case sigRequired = 5
    /// The responder is not authoritative for the certificate's issuer.
    case unauthorized = 6

    /// An unsuccessful OCSPResponse: `SEQUENCE { ENUMERATED status }`.
    public var unsignedResponse: [UInt8] {
        [0x30, 0x03, 0x0A, 0x01, UInt8(rawValue)]
    }
}
