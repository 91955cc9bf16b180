/// The control packet type in the high nibble of the first fixed-header byte (spec section 2.2.1).
enum MQTTPacketType: UInt8, Sendable, CaseIterable {
    case connect = 1
    case connAck = 2
    case publish = 3
    case pubAck = 4
    case pubRec = 5
    case pubRel = 6
    case pubComp = 7
    case subscribe = 8
    case subAck = 9
    case unsubscribe = 10
    case unsubAck = 11
    case pingReq = 12
    case pingResp = 13
    case disconnect = 14

    /// The flags every type but PUBLISH must carry (spec table 2.2): 0b0010 for PUBREL, SUBSCRIBE and UNSUBSCRIBE.
    var requiredFlags: UInt8? {
        switch self {
        case .publish: nil
        case .pubRel, .subscribe, .unsubscribe: 0b0010
        default: 0
        }
    }

    /// The remaining length the type always has, or nil when it varies.
    var fixedRemainingLength: Int? {
        switch self {
        case .connAck, .pubAck, .pubRec, .pubRel, .pubComp, .unsubAck: 2
        case .pingReq, .pingResp, .disconnect: 0
        case .connect, .publish, .subscribe, .subAck, .unsubscribe: nil
        }
    }

    /// The type's name as the spec writes it, for error messages.
    var name: String {
        switch self {
        case .connect: "CONNECT"
        case .connAck: "CONNACK"
        case .publish: "PUBLISH"
        case .pubAck: "PUBACK"
        case .pubRec: "PUBREC"
        case .pubRel: "PUBREL"
        case .pubComp: "PUBCOMP"
        case .subscribe: "SUBSCRIBE"
        case .subAck: "SUBACK"
        case .unsubscribe: "UNSUBSCRIBE"
        case .unsubAck: "UNSUBACK"
        case .pingReq: "PINGREQ"
        case .pingResp: "PINGRESP"
        case .disconnect: "DISCONNECT"
        }
    }
}

extension MQTTPacket {
    /// The packet type's name as the spec writes it (`CONNECT`, `PUBLISH`, …), for logs and errors.
    public var typeName: String { packetType.name }
}
