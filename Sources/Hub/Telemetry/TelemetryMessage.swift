import Dispatch
import Foundation

/// A device-to-cloud message as the hub stores it: body, application and system properties.
public struct TelemetryMessage: Sendable, Equatable, Codable {
    /// Shard that received it.
    public var shard: String
    /// Sending device.
    public var deviceId: String
    /// Sending module, if any.
    public var moduleId: String?
    /// When the hub accepted it.
    public var enqueuedTime: Date
    /// The body bytes as sent.
    public var body: [UInt8]
    /// Application properties (custom keys of the property bag).
    public var properties: [String: String]
    /// System properties: `message-id`, `correlation-id`, `user-id`, `content-type`, `content-encoding`,
    /// `iothub-connection-device-id`, `iothub-connection-module-id`, `iothub-connection-auth-method`,
    /// `iothub-enqueuedtime`, `iothub-message-source`, `output-name`, `interface-id`, `expiry-time-utc`.
    public var systemProperties: [String: String]

    /// Creates a message.
    public init(shard: String, deviceId: String, moduleId: String?, enqueuedTime: Date, body: [UInt8],
                properties: [String: String], systemProperties: [String: String]) {
        self.shard = shard
        self.deviceId = deviceId
        self.moduleId = moduleId
        self.enqueuedTime = enqueuedTime
        self.body = body
        self.properties = properties
        self.systemProperties = systemProperties
    }

    /// The largest body a device may send (IoT Hub's 256 KiB).
    public static let maximumBodySize = 256 * 1024
}

/// A stored message with its position in the shard's log.
public struct StoredTelemetryMessage: Sendable, Equatable {
    /// Monotonic per shard.
    public var sequenceNumber: Int64
    /// The message.
    public var message: TelemetryMessage

    /// Creates a stored message.
    public init(sequenceNumber: Int64, message: TelemetryMessage) {
        self.sequenceNumber = sequenceNumber
        self.message = message
    }
}

/// Durable telemetry intake; `append` returns only once the messages are committed.
public protocol TelemetryStore: Sendable {
    /// What the store works out for a batch ahead of its write (routing, encoding): the store's own type, so the
    /// write gets it back typed, never as a value to cast.
    associatedtype PreparedBatch: Sendable = [TelemetryMessage]

    /// Appends messages in one transaction and returns their sequence numbers.
    func appendTelemetry(_ messages: [TelemetryMessage]) async throws -> [Int64]
    /// Messages of a shard after `sequenceNumber`, oldest first.
    func telemetry(shard: String, after sequenceNumber: Int64, limit: Int) async throws -> [StoredTelemetryMessage]
    /// The part of appending a batch that needs no database (routing, encoding). The batcher runs it for the next batch
    /// while the previous one is still being written.
    func prepareTelemetry(_ messages: [TelemetryMessage]) -> PreparedBatch
    /// Appends a prepared batch in one transaction; the same result as `appendTelemetry` of its messages.
    func appendPreparedTelemetry(_ prepared: PreparedBatch) async throws -> [Int64]
    /// The same, blocking the calling thread until the transaction committed. Only for threads of their own (the
    /// batcher's writers), never for a task's thread.
    func appendPreparedTelemetryBlocking(_ prepared: PreparedBatch) throws -> [Int64]
}

extension TelemetryStore where PreparedBatch == [TelemetryMessage] {
    /// Nothing to prepare by default: the batch is its messages.
    public func prepareTelemetry(_ messages: [TelemetryMessage]) -> [TelemetryMessage] {
        messages
    }

    /// Appends the messages by default.
    public func appendPreparedTelemetry(_ messages: [TelemetryMessage]) async throws -> [Int64] {
        try await appendTelemetry(messages)
    }

    /// Runs the asynchronous append and waits for it by default.
    public func appendPreparedTelemetryBlocking(_ messages: [TelemetryMessage]) throws -> [Int64] {
        try waitBlocking { try await appendTelemetry(messages) }
    }
}

/// Runs `body` in a task and blocks the calling thread until it finishes. Only for threads outside the task pool
/// (a blocked pool thread could be the one `body` needs).
public func waitBlocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let outcome = BlockingOutcome<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
        do {
            outcome.result = .success(try await body())
        } catch {
            outcome.result = .failure(error)
        }
        done.signal()
    }
    done.wait()
    return try outcome.result!.get()
}

/// Where `waitBlocking`'s task leaves its result; read only after the semaphore says it is there.
private final class BlockingOutcome<T>: @unchecked Sendable {
    var result: Result<T, any Error>?
}
