/// Bounds the decoder enforces before it buffers or parses untrusted bytes.
public struct MQTTCodecLimits: Sendable, Hashable {
    /// The default maximum packet size: a 256 KiB message plus 1 KiB for topic and headers.
    public static let defaultMaximumPacketSize = 262_144 + 1024

    /// The largest whole packet (fixed header plus remaining length) the decoder accepts, in bytes.
    ///
    /// Checked as soon as the remaining length is known, before the body is buffered.
    public var maximumPacketSize: Int
    /// The longest topic name or topic filter the decoder accepts, in UTF-8 bytes.
    public var maximumTopicLength: Int

    /// Creates limits; the defaults suit an IoT hub (256 KiB messages, any topic length the wire allows).
    public init(maximumPacketSize: Int = MQTTCodecLimits.defaultMaximumPacketSize, maximumTopicLength: Int = 65_535) {
        self.maximumPacketSize = maximumPacketSize
        self.maximumTopicLength = maximumTopicLength
    }
}
