import Foundation
import Provisioning

extension HubShard {
    /// Queues a C2D message for a device (durable when this returns; concurrent sends share a commit) and wakes its
    /// session.
    public func sendCloudToDevice(deviceId: String, body: [UInt8], messageId: String?, correlationId: String?,
                                  contentType: String?, contentEncoding: String?, userId: String? = nil,
                                  properties: [String: String], timeToLive: TimeInterval?, ack: FeedbackRequest) async throws -> CloudToDeviceMessage {
        _ = try await device(deviceId)
        let ttl = timeToLive ?? CloudToDeviceMessage.defaultTimeToLive
        guard ttl > 0, ttl <= CloudToDeviceMessage.maximumTimeToLive else {
            throw HubError.badRequest("ttlSeconds must be between 1 and \(Int(CloudToDeviceMessage.maximumTimeToLive))")
        }
        try CloudToDeviceLimits.check(body: body, messageId: messageId, systemValues: [correlationId, contentType, contentEncoding, userId],
                                      properties: properties)
        let enqueued = now()
        let message = CloudToDeviceMessage(
            id: UUID().uuidString.lowercased(), shard: name, deviceId: deviceId,
            messageId: messageId ?? UUID().uuidString.lowercased(), correlationId: correlationId, contentType: contentType,
            contentEncoding: contentEncoding, userId: userId, body: body, properties: properties,
            enqueuedTime: enqueued, expiryTime: enqueued.addingTimeInterval(ttl), ack: ack)
        try await cloudToDeviceIntake.enqueue(message)
        await notifier.cloudToDeviceQueued(shard: name, deviceId: deviceId)
        return message
    }

    /// Messages ready for delivery (not under a receiver's peek-lock); expired ones are retired with feedback on the way.
    public func deliverableCloudToDevice(deviceId: String) async throws -> [CloudToDeviceMessage] {
        try await expireCloudToDevice()
        // Locks first: a lock released after this read belonged to a message whose completion is already committed,
        // so the pending read below no longer finds it (read the other way round, it could be handed out again).
        let locked = cloudToDeviceLocks.lockedMessageIds(shard: name, deviceId: deviceId, now: now())
        let pending = try await cloudToDevice.pendingCloudToDevice(shard: name, deviceId: deviceId, now: now())
        return locked.isEmpty ? pending : pending.filter { !locked.contains($0.id) }
    }

    /// Counts a delivery attempt; a message sent too often is dead-lettered instead (returns false).
    public func beginDelivery(_ message: CloudToDeviceMessage) async throws -> Bool {
        if message.deliveryCount >= CloudToDeviceMessage.maximumDeliveryCount {
            try await finish(message, outcome: .deliveryCountExceeded)
            return false
        }
        try await cloudToDevice.markDelivered(shard: name, messageId: message.id)
        return true
    }

    /// The device acknowledged (PUBACK) the message: it is complete.
    public func completeCloudToDevice(_ message: CloudToDeviceMessage) async throws {
        try await finish(message, outcome: .success)
    }

    /// Removes a device's pending messages.
    public func purgeCloudToDevice(deviceId: String) async throws -> Int {
        _ = try await device(deviceId)
        return try await cloudToDevice.purgeCloudToDevice(shard: name, deviceId: deviceId)
    }

    /// Retires expired messages, with feedback where asked for.
    public func expireCloudToDevice() async throws {
        for message in try await cloudToDevice.expiredCloudToDevice(shard: name, now: now()) {
            try await finish(message, outcome: .expired)
        }
    }

    func finish(_ message: CloudToDeviceMessage, outcome: FeedbackOutcome) async throws {
        var feedback: FeedbackRecord?
        if message.ack.wants(outcome) {
            let generation = (try? await registry.device(shard: name, deviceId: message.deviceId))??.generationId ?? ""
            feedback = FeedbackRecord(originalMessageId: message.messageId, deviceId: message.deviceId, statusCode: outcome,
                                      description: outcome.rawValue, enqueuedTimeUtc: RegistrationTimestamp.string(now()),
                                      deviceGenerationId: generation)
        }
        try await cloudToDevice.finishCloudToDevice(shard: name, messageId: message.id, feedback: feedback)
    }
}
