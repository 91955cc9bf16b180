import MQTTCodec
import NIOCore

/// What one publishing connection does: connect as whom, publish what, how many, how many unacknowledged at once.
struct TelemetryPlan: Sendable {
    var connect: MQTTConnect
    var topic: String
    var payload: ByteBuffer
    var messages: Int
    var window: Int
}
