/// Bounds on what the decoder accepts, so a peer cannot make it allocate or recurse without limit.
public struct AMQPCodecLimits: Sendable, Equatable {
    /// The largest frame accepted (what this side advertises as `max-frame-size`).
    public var maximumFrameSize: Int
    /// The largest message reassembled from transfers.
    public var maximumMessageSize: Int
    /// How deeply lists, maps, arrays and described values may nest.
    public var maximumNestingDepth: Int
    /// The most elements one list, map or array may declare.
    public var maximumElementCount: Int

    /// Creates limits; the defaults suit IoT Hub's message sizes.
    public init(maximumFrameSize: Int = 1 << 20, maximumMessageSize: Int = 1 << 20, maximumNestingDepth: Int = 32,
                maximumElementCount: Int = 65_536) {
        self.maximumFrameSize = maximumFrameSize
        self.maximumMessageSize = maximumMessageSize
        self.maximumNestingDepth = maximumNestingDepth
        self.maximumElementCount = maximumElementCount
    }
}
