/// An error decoding or encoding an MQTT packet; the connection it came from should be closed.
public struct MQTTCodecError: Error, Equatable, Sendable {
    /// What went wrong, as an extensible set of codes.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: String, Hashable, Sendable {
            case malformedRemainingLength
            case packetTooLarge
            case malformedPacket
            case invalidUTF8
            case topicTooLong
            case invalidQoS
            case invalidFlags
            case unknownPacketType
            case protocolViolation
            case unencodable
        }

        private let backing: Backing

        private init(_ backing: Backing) {
            self.backing = backing
        }

        /// The remaining length uses more than four bytes.
        public static let malformedRemainingLength = Code(.malformedRemainingLength)
        /// The packet is larger than ``MQTTCodecLimits/maximumPacketSize``.
        public static let packetTooLarge = Code(.packetTooLarge)
        /// The packet is truncated, has trailing bytes, a wrong fixed length or a reserved value.
        public static let malformedPacket = Code(.malformedPacket)
        /// A string is not well-formed UTF-8 or contains U+0000.
        public static let invalidUTF8 = Code(.invalidUTF8)
        /// A topic name or filter is longer than ``MQTTCodecLimits/maximumTopicLength``.
        public static let topicTooLong = Code(.topicTooLong)
        /// A QoS field holds the reserved value 3.
        public static let invalidQoS = Code(.invalidQoS)
        /// Fixed-header, CONNECT, CONNACK or SUBSCRIBE flag bits are reserved or contradict each other.
        public static let invalidFlags = Code(.invalidFlags)
        /// The packet type is 0 or 15, which MQTT 3.1.1 reserves.
        public static let unknownPacketType = Code(.unknownPacketType)
        /// The packet is well-formed but breaks a rule of the spec (wildcard in a topic name, packet identifier 0, ...).
        public static let protocolViolation = Code(.protocolViolation)
        /// The value cannot be written in MQTT 3.1.1 wire format (string over 65,535 bytes, packet too big, ...).
        public static let unencodable = Code(.unencodable)

        /// The code's name.
        public var description: String { self.backing.rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// A human-readable explanation that is safe to log or return; it never contains payload bytes.
    public var message: String

    /// Creates an error.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }
}

extension MQTTCodecError: CustomStringConvertible {
    /// The code and message.
    public var description: String { "MQTTCodecError.\(self.code): \(self.message)" }
}

extension MQTTCodecError {
    static func malformedPacket(_ message: String) -> MQTTCodecError {
        MQTTCodecError(code: .malformedPacket, message: message)
    }

    static func protocolViolation(_ message: String) -> MQTTCodecError {
        MQTTCodecError(code: .protocolViolation, message: message)
    }

    static func invalidFlags(_ message: String) -> MQTTCodecError {
        MQTTCodecError(code: .invalidFlags, message: message)
    }

    static func invalidQoS(_ message: String) -> MQTTCodecError {
        MQTTCodecError(code: .invalidQoS, message: message)
    }

    static func unencodable(_ message: String) -> MQTTCodecError {
        MQTTCodecError(code: .unencodable, message: message)
    }

    static func truncated(_ field: String) -> MQTTCodecError {
        .malformedPacket("packet ends inside \(field)")
    }
}
