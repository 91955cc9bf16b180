import Foundation
import Hub

/// A shard's registry, C2D queue, feedback and telemetry in memory, with the storage protocols' semantics:
/// device ids match case-insensitively and list in lower-cased order; at most 50 pending C2D messages per device.
actor InMemoryHubStore: EnumerableDeviceRegistry, CloudToDeviceStore, TelemetryStore {
    private var rows: [String: DeviceRecord] = [:]
    private var queue: [CloudToDeviceMessage] = []
    private var feedback: [(record: FeedbackRecord, lock: (token: UUID, until: Date)?)] = []
    private var telemetryLog: [StoredTelemetryMessage] = []

    func device(shard: String, deviceId: String) -> DeviceIdentity? { rows[deviceId.lowercased()]?.identity }
    func twin(shard: String, deviceId: String) -> DeviceTwin? { rows[deviceId.lowercased()]?.twin }
    func save(shard: String, device: DeviceIdentity, twin: DeviceTwin) { rows[device.deviceId.lowercased()] = DeviceRecord(identity: device, twin: twin) }
    func delete(shard: String, deviceId: String) -> Bool { rows.removeValue(forKey: deviceId.lowercased()) != nil }
    func deviceCount(shard: String) -> Int { rows.count }
    func devices(shard: String, after cursor: String?, limit: Int) -> [DeviceRecord] {
        Array(rows.values.filter { $0.key > (cursor ?? "") }.sorted { $0.key < $1.key }.prefix(limit))
    }

    func enqueueCloudToDevice(_ message: CloudToDeviceMessage) throws {
        let pending = queue.filter { $0.deviceId.lowercased() == message.deviceId.lowercased() }.count
        guard pending < CloudToDeviceMessage.maximumPendingPerDevice else { throw HubError.queueFull(message.deviceId) }
        queue.append(message)
    }
    func pendingCloudToDevice(shard: String, deviceId: String, now: Date) -> [CloudToDeviceMessage] {
        queue.filter { $0.deviceId.lowercased() == deviceId.lowercased() && $0.expiryTime > now }
    }
    func markDelivered(shard: String, messageId id: String) {
        if let index = queue.firstIndex(where: { $0.id == id }) { queue[index].deliveryCount += 1 }
    }
    func finishCloudToDevice(shard: String, messageId id: String, feedback record: FeedbackRecord?) -> CloudToDeviceMessage? {
        guard let index = queue.firstIndex(where: { $0.id == id }) else { return nil }
        if let record { feedback.append((record, nil)) }
        return queue.remove(at: index)
    }
    func expiredCloudToDevice(shard: String, now: Date) -> [CloudToDeviceMessage] { queue.filter { $0.expiryTime <= now } }
    func purgeCloudToDevice(shard: String, deviceId: String) -> Int {
        let before = queue.count
        queue.removeAll { $0.deviceId.lowercased() == deviceId.lowercased() }
        return before - queue.count
    }
    func takeFeedback(shard: String, limit: Int, now: Date) -> [FeedbackRecord] {
        let taken = Array(feedback.indices.filter { (feedback[$0].lock?.until ?? .distantPast) <= now }.prefix(limit))
        let records = taken.map { feedback[$0].record }
        for index in taken.reversed() { feedback.remove(at: index) }
        return records
    }
    func lockFeedback(shard: String, limit: Int, lockToken: UUID, now: Date, lockedUntil: Date) -> [FeedbackRecord] {
        let available = feedback.indices.filter { (feedback[$0].lock?.until ?? .distantPast) <= now }.prefix(limit)
        for index in available { feedback[index].lock = (lockToken, lockedUntil) }
        return available.map { feedback[$0].record }
    }
    func completeFeedback(shard: String, lockToken: UUID, now: Date) -> Int {
        let before = feedback.count
        feedback.removeAll { $0.lock.map { $0.token == lockToken && $0.until > now } ?? false }
        return before - feedback.count
    }
    func releaseFeedback(shard: String, lockToken: UUID) -> Int {
        var count = 0
        for index in feedback.indices where feedback[index].lock?.token == lockToken {
            feedback[index].lock = nil
            count += 1
        }
        return count
    }

    func appendTelemetry(_ messages: [TelemetryMessage]) -> [Int64] {
        messages.map { message in
            let sequenceNumber = Int64(telemetryLog.count + 1)
            telemetryLog.append(StoredTelemetryMessage(sequenceNumber: sequenceNumber, message: message))
            return sequenceNumber
        }
    }
    func telemetry(shard: String, after sequenceNumber: Int64, limit: Int) -> [StoredTelemetryMessage] {
        Array(telemetryLog.filter { $0.sequenceNumber > sequenceNumber }.prefix(limit))
    }

    /// Pending messages of every device (test inspection).
    func queuedMessages() -> [CloudToDeviceMessage] { queue }
    /// Adds a feedback record as a completed delivery would.
    func addFeedback(_ record: FeedbackRecord) { feedback.append((record, nil)) }
}
