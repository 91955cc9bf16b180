import Foundation
import Synchronization

/// Peek-locks on C2D messages that a polling receiver (the HTTPS device API) holds: a lock token names one message of
/// one device until a deadline. Locks live in memory on purpose: the message and its delivery count are durable, so a
/// restart only ends the locks early and the message is delivered again, which at-least-once delivery allows.
public final class CloudToDeviceLocks: Sendable {
    /// One held lock.
    struct Lock: Sendable {
        let message: CloudToDeviceMessage
        let until: Date
    }

    private let locks = Mutex<[String: Lock]>([:])

    /// Creates an empty lock table.
    public init() {}

    /// Locks `message` until `until`; returns the new lock token (a GUID, as IoT Hub's).
    func lock(_ message: CloudToDeviceMessage, until: Date) -> String {
        let token = UUID().uuidString.lowercased()
        locks.withLock { $0[token] = Lock(message: message, until: until) }
        return token
    }

    /// Locks `message` unless a lock that holds at `now` already does; returns the new token, or nil.
    func tryLock(_ message: CloudToDeviceMessage, until: Date, now: Date) -> String? {
        locks.withLock { table in
            guard !table.values.contains(where: { $0.message.id == message.id && $0.message.shard == message.shard && $0.until > now })
            else { return nil }
            let token = UUID().uuidString.lowercased()
            table[token] = Lock(message: message, until: until)
            return token
        }
    }

    /// Ids of the device's messages under a lock that still holds at `now`; lapsed locks are dropped on the way.
    func lockedMessageIds(shard: String, deviceId: String, now: Date) -> Set<String> {
        locks.withLock { table in
            table = table.filter { $0.value.until > now }
            return Set(table.values.filter { $0.message.shard == shard && $0.message.deviceId == deviceId }.map(\.message.id))
        }
    }

    /// Holds the lock `token` without a deadline while the message is being completed or rejected (the store's write
    /// may take a while; a lapse meanwhile would make the message deliverable again before it is gone) and returns the
    /// message; nil as for `end`. `end` or `release` follows.
    func hold(token: String, shard: String, deviceId: String, now: Date) -> CloudToDeviceMessage? {
        locks.withLock { table in
            guard let lock = table[token], lock.message.shard == shard, lock.message.deviceId == deviceId, lock.until > now,
                  lock.until != .distantFuture else {
                // Unknown, another device's, lapsed, or already being finished.
                return nil
            }
            table[token] = Lock(message: lock.message, until: .distantFuture)
            return lock.message
        }
    }

    /// Drops a lock (after the message it held was finished, or when finishing failed).
    func release(token: String) {
        _ = locks.withLock { $0.removeValue(forKey: token) }
    }

    /// Ends the lock `token` of the device's message and returns the message; nil when the token is unknown, names
    /// another device's message or lapsed before `now`.
    func end(token: String, shard: String, deviceId: String, now: Date) -> CloudToDeviceMessage? {
        locks.withLock { table in
            guard let lock = table[token], lock.message.shard == shard, lock.message.deviceId == deviceId else { return nil }
            table[token] = nil
            return lock.until > now ? lock.message : nil
        }
    }
}
