import Foundation

/// A queued cloud-to-device message.
public struct CloudToDeviceMessage: Sendable, Equatable, Codable {
    /// Hub-assigned id (the lock token); unique per shard.
    public var id: String
    /// Target shard.
    public var shard: String
    /// Target device.
    public var deviceId: String
    /// `$.mid`.
    public var messageId: String
    /// `$.cid`.
    public var correlationId: String?
    /// `$.ct`.
    public var contentType: String?
    /// `$.ce`.
    public var contentEncoding: String?
    /// `$.uid`.
    public var userId: String?
    /// The body.
    public var body: [UInt8]
    /// Custom properties.
    public var properties: [String: String]
    /// When it was accepted.
    public var enqueuedTime: Date
    /// When it expires (`$.exp`).
    public var expiryTime: Date
    /// Which outcomes the sender wants feedback for.
    public var ack: FeedbackRequest
    /// How often it was sent to the device.
    public var deliveryCount: Int
    /// Its position in the shard's queue, as the store reports it when reading pending messages (`iothub-sequencenumber`);
    /// nil before it is stored.
    public var sequenceNumber: Int64?

    /// Creates a message.
    public init(id: String, shard: String, deviceId: String, messageId: String, correlationId: String?, contentType: String?,
                contentEncoding: String?, userId: String?, body: [UInt8], properties: [String: String],
                enqueuedTime: Date, expiryTime: Date, ack: FeedbackRequest, deliveryCount: Int = 0) {
        self.id = id
        self.shard = shard
        self.deviceId = deviceId
        self.messageId = messageId
        self.correlationId = correlationId
        self.contentType = contentType
        self.contentEncoding = contentEncoding
        self.userId = userId
        self.body = body
        self.properties = properties
        self.enqueuedTime = enqueuedTime
        self.expiryTime = expiryTime
        self.ack = ack
        self.deliveryCount = deliveryCount
    }

    /// At most this many messages wait per device.
    public static let maximumPendingPerDevice = 50
    /// Default time to live.
    public static let defaultTimeToLive: TimeInterval = 3600
    /// Longest time to live.
    public static let maximumTimeToLive: TimeInterval = 2 * 86_400
    /// Deliveries before a message is dead-lettered.
    public static let maximumDeliveryCount = 10
}

/// `iothub-ack`: which outcomes produce a feedback record.
public enum FeedbackRequest: String, Sendable, Codable, CaseIterable {
    case none, positive, negative, full

    /// Whether an outcome is reported.
    public func wants(_ outcome: FeedbackOutcome) -> Bool {
        switch (self, outcome) {
        case (.full, _), (.positive, .success), (.negative, .expired), (.negative, .deliveryCountExceeded), (.negative, .rejected): true
        default: false
        }
    }
}

/// How a C2D message ended.
public enum FeedbackOutcome: String, Sendable, Codable {
    case success = "Success"
    case expired = "Expired"
    case deliveryCountExceeded = "DeliveryCountExceeded"
    case rejected = "Rejected"
    case purged = "Purged"
}

/// One feedback record, as the service reads them.
public struct FeedbackRecord: Sendable, Equatable, Codable {
    /// The original message id.
    public var originalMessageId: String
    /// The device.
    public var deviceId: String
    /// `Success`, `Expired`, `DeliveryCountExceeded`, …
    public var statusCode: FeedbackOutcome
    /// Human-readable outcome.
    public var description: String
    /// When the outcome happened, ISO 8601.
    public var enqueuedTimeUtc: String
    /// The device's generation id.
    public var deviceGenerationId: String

    /// Creates a record.
    public init(originalMessageId: String, deviceId: String, statusCode: FeedbackOutcome, description: String,
                enqueuedTimeUtc: String, deviceGenerationId: String) {
        self.originalMessageId = originalMessageId
        self.deviceId = deviceId
        self.statusCode = statusCode
        self.description = description
        self.enqueuedTimeUtc = enqueuedTimeUtc
        self.deviceGenerationId = deviceGenerationId
    }
}

/// The durable C2D queue and feedback store of every shard.
public protocol CloudToDeviceStore: Sendable {
    /// Adds a message unless the device already has `maximumPendingPerDevice` pending (then `HubError.queueFull`).
    func enqueueCloudToDevice(_ message: CloudToDeviceMessage) async throws
    /// Adds several messages in one transaction (one commit for all); each is refused on its own when its device's
    /// queue is full. Returns one outcome per message, in order.
    func enqueueCloudToDevice(batch messages: [CloudToDeviceMessage]) async throws -> [HubError?]
    /// Unexpired pending messages of a device, oldest first.
    func pendingCloudToDevice(shard: String, deviceId: String, now: Date) async throws -> [CloudToDeviceMessage]
    /// Records one more delivery attempt.
    func markDelivered(shard: String, messageId id: String) async throws
    /// Removes a message (completed, expired, dead-lettered or purged) and appends its feedback record, if any, in
    /// one transaction; returns the removed message.
    @discardableResult
    func finishCloudToDevice(shard: String, messageId id: String, feedback: FeedbackRecord?) async throws -> CloudToDeviceMessage?
    /// Messages past their expiry on a shard.
    func expiredCloudToDevice(shard: String, now: Date) async throws -> [CloudToDeviceMessage]
    /// Removes every pending message of a device; returns how many.
    func purgeCloudToDevice(shard: String, deviceId: String) async throws -> Int
    /// Takes (and removes) pending feedback records of a shard that no receiver holds locked at `now`, oldest first.
    func takeFeedback(shard: String, limit: Int, now: Date) async throws -> [FeedbackRecord]
    /// Locks up to `limit` feedback records that are unlocked or whose lock lapsed at `now` to `lockToken` until
    /// `lockedUntil`; returns them, oldest first (empty when none is pending).
    func lockFeedback(shard: String, limit: Int, lockToken: UUID, now: Date, lockedUntil: Date) async throws -> [FeedbackRecord]
    /// Deletes the records locked to `lockToken` if the lock still holds at `now`; returns how many.
    func completeFeedback(shard: String, lockToken: UUID, now: Date) async throws -> Int
    /// Unlocks the records locked to `lockToken`; returns how many.
    func releaseFeedback(shard: String, lockToken: UUID) async throws -> Int
}

extension CloudToDeviceStore {
    /// One transaction per message by default.
    public func enqueueCloudToDevice(batch messages: [CloudToDeviceMessage]) async throws -> [HubError?] {
        var outcomes: [HubError?] = []
        for message in messages {
            do {
                try await enqueueCloudToDevice(message)
                outcomes.append(nil)
            } catch let error as HubError {
                outcomes.append(error)
            }
        }
        return outcomes
    }
}
