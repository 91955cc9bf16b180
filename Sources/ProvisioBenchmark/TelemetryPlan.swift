import MQTTCodec
import NIOCore

/// What one publishing connection does: connect as whom, publish what, how many, how many unacknowledged at once.
struct TelemetryPlan: Sendable {
    var connect: MQTTConnect
    var topic: String
    var payload: ByteBuffer
    var messages: Int
    var window: Int
    /// When set, each payload starts with this device index and the message's number (two big-endian UInt32) and
    /// every PUBACK time is written here, so a consumer can match what it reads to when it was acknowledged.
    var acknowledgements: AcknowledgementLog? = nil
    /// When set, the device publishes at this steady rate (still within `window`) instead of as fast as PUBACKs allow.
    var messagesPerSecond: Double? = nil
}

/// PUBACK times of one device's messages by message number (monotonic nanoseconds), written by its publisher on the
/// event loop and read only after the publisher finished (its `finished` future orders the two).
final class AcknowledgementLog: @unchecked Sendable {
    let deviceIndex: UInt32
    var times: [UInt64]

    init(deviceIndex: UInt32, messages: Int) {
        self.deviceIndex = deviceIndex
        times = [UInt64](repeating: 0, count: messages)
    }
}
