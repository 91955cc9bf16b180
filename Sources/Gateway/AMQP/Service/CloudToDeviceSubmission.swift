import Foundation
import Hub

/// One message a service sent on the `/messages/devicebound` link, mapped to the hub's C2D send: the device from
/// `to` (`/devices/{id}/messages/devicebound`, any case), the system properties, the application properties without
/// `iothub-ack` (which selects the feedback), and the time to live from `absolute-expiry-time`.
struct CloudToDeviceSubmission: Sendable, Equatable {
    var deviceId: String
    var body: [UInt8]
    var messageId: String?
    var correlationId: String?
    var contentType: String?
    var contentEncoding: String?
    var userId: String?
    var properties: [String: String]
    var timeToLive: TimeInterval?
    var ack: FeedbackRequest

    /// Maps the message fields; a refusal is a `HubError` (answered as a `rejected` disposition).
    init(to: String?, body: [UInt8], messageId: String?, correlationId: String?, contentType: String?, contentEncoding: String?,
         userId: String?, applicationProperties: [String: String], absoluteExpiryTime: Date?, now: Date) throws(HubError) {
        guard let to else { throw HubError.badRequest("the message has no 'to' (/devices/{id}/messages/devicebound)") }
        let segments = to.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard segments.count == 4, segments[0].lowercased() == "devices",
              segments[2].lowercased() == "messages", segments[3].lowercased() == "devicebound",
              let deviceId = segments[1].removingPercentEncoding, !deviceId.isEmpty else {
            if segments.count == 6, segments[0].lowercased() == "devices", segments[2].lowercased() == "modules" {
                throw HubError.badRequest("cloud-to-device messages to modules are not supported")
            }
            throw HubError.badRequest("'to' must be /devices/{id}/messages/devicebound")
        }
        var properties = applicationProperties
        var ack = FeedbackRequest.none
        if let requested = properties.removeValue(forKey: "iothub-ack") {
            guard let parsed = FeedbackRequest(rawValue: requested.lowercased()) else {
                throw HubError.badRequest("iothub-ack must be none, positive, negative or full")
            }
            ack = parsed
        }
        var timeToLive: TimeInterval?
        if let absoluteExpiryTime {
            let remaining = absoluteExpiryTime.timeIntervalSince(now)
            guard remaining > 0 else { throw HubError.badRequest("the message expired before it was sent") }
            timeToLive = min(remaining, CloudToDeviceMessage.maximumTimeToLive)
        }
        self.deviceId = deviceId
        self.body = body
        self.messageId = messageId
        self.correlationId = correlationId
        self.contentType = contentType
        self.contentEncoding = contentEncoding
        self.userId = userId
        self.properties = properties
        self.timeToLive = timeToLive
        self.ack = ack
    }

    /// Queues it durably on `shard`; returns once committed.
    func send(to shard: HubShard) async throws {
        _ = try await shard.sendCloudToDevice(
            deviceId: deviceId, body: body, messageId: messageId, correlationId: correlationId, contentType: contentType,
            contentEncoding: contentEncoding, userId: userId, properties: properties, timeToLive: timeToLive, ack: ack)
    }
}
