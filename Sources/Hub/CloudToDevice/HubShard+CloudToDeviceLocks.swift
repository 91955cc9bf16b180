import Foundation

extension HubShard {
    /// How long a polled C2D message stays locked when the receiver names no timeout (IoT Hub's one minute).
    public static let cloudToDeviceLockDuration: TimeInterval = 60
    /// The longest lock a receiver may ask for.
    public static let maximumCloudToDeviceLockDuration: TimeInterval = 300

    /// Locks the device's oldest deliverable message for `duration` and counts the delivery; nil when none waits. A
    /// message delivered `maximumDeliveryCount` times is dead-lettered instead and the next one is tried.
    public func lockCloudToDevice(deviceId: String, duration: TimeInterval = cloudToDeviceLockDuration) async throws -> LockedCloudToDeviceMessage? {
        guard duration > 0, duration <= Self.maximumCloudToDeviceLockDuration else {
            throw HubError.badRequest("the lock timeout must be between 1 and \(Int(Self.maximumCloudToDeviceLockDuration)) seconds")
        }
        for message in try await deliverableCloudToDevice(deviceId: deviceId) {
            // Taken atomically: two receivers of the same device never lock the same message.
            let until = now().addingTimeInterval(duration)
            guard let token = cloudToDeviceLocks.tryLock(message, until: until, now: now()) else { continue }
            guard try await beginDelivery(message) else {
                cloudToDeviceLocks.release(token: token)
                continue
            }
            return LockedCloudToDeviceMessage(message: message, lockToken: token, lockedUntil: until)
        }
        return nil
    }

    /// The receiver completed the locked message: it is removed (positive feedback where asked for).
    public func completeCloudToDevice(deviceId: String, lockToken: String) async throws {
        try await finishLocked(deviceId: deviceId, lockToken: lockToken, outcome: .success)
    }

    /// The receiver rejected the locked message: it is dead-lettered (negative feedback where asked for).
    public func rejectCloudToDevice(deviceId: String, lockToken: String) async throws {
        try await finishLocked(deviceId: deviceId, lockToken: lockToken, outcome: .rejected)
    }

    /// Finishes a locked message; the lock holds until the store's write is done, so no receiver is handed the
    /// message again in between.
    private func finishLocked(deviceId: String, lockToken: String, outcome: FeedbackOutcome) async throws {
        guard let message = cloudToDeviceLocks.hold(token: lockToken, shard: name, deviceId: deviceId, now: now()) else {
            throw HubError.lockLost("the message lock \(lockToken) has expired, was already used or does not exist")
        }
        defer { cloudToDeviceLocks.release(token: lockToken) }
        try await finish(message, outcome: outcome)
    }

    /// The receiver abandoned the locked message: it returns to the queue at once and is delivered again until the
    /// maximum delivery count.
    public func abandonCloudToDevice(deviceId: String, lockToken: String) async throws {
        _ = try lockedMessage(deviceId: deviceId, lockToken: lockToken)
        await notifier.cloudToDeviceQueued(shard: name, deviceId: deviceId)
    }

    private func lockedMessage(deviceId: String, lockToken: String) throws -> CloudToDeviceMessage {
        guard let message = cloudToDeviceLocks.end(token: lockToken, shard: name, deviceId: deviceId, now: now()) else {
            throw HubError.lockLost("the message lock \(lockToken) has expired, was already used or does not exist")
        }
        return message
    }
}
