/// A SUBACK packet, the server's answer to SUBSCRIBE (spec section 3.9).
public struct MQTTSubAck: Equatable, Sendable {
    /// The packet identifier of the SUBSCRIBE being acknowledged.
    public var packetIdentifier: UInt16
    /// One return code per requested subscription, in request order.
    public var returnCodes: [MQTTSubAckReturnCode]

    /// Creates a SUBACK packet.
    public init(packetIdentifier: UInt16, returnCodes: [MQTTSubAckReturnCode]) {
        self.packetIdentifier = packetIdentifier
        self.returnCodes = returnCodes
    }
}
