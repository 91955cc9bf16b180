import Foundation

/// The identity keys issued in TPM challenges and not yet expired, per registration id, so the device's SAS can be
/// checked against them. In memory: after a restart a device answers a fresh challenge, as after any 401.
///
/// An EK is public, so anyone can ask for a challenge for it; only the real TPM can import the key. The store is
/// bounded so strangers cannot evict the key the real TPM is answering:
/// - each source address keeps at most `keysPerSource` keys per registration; its own oldest goes first;
/// - a registration keeps at most `keysPerRegistration` keys; when full, a new source may only replace another
///   source's key that was never used to sign a valid SAS and is older than `answerWindow` (a TPM answers its
///   challenge within seconds); otherwise the new challenge is refused (the caller answers 429);
/// - a key that has signed a valid SAS is never evicted by another source;
/// - at most `totalKeys` keys over all registrations; when full, expired keys are dropped, then new challenges refused.
public actor TPMChallengeStore {
    /// An issued identity key and the storage root key it was wrapped for.
    public struct Issued: Sendable {
        /// The HMAC key the device imported.
        public var key: [UInt8]
        /// The SRK the key was duplicated to; the hub key is wrapped for the same one.
        public var storageRootKey: TPMPublicArea
        /// When the key stops being accepted.
        public var expiry: Date
        /// The address the challenge was asked from.
        public var source: String
        /// When the challenge was issued.
        public var issued: Date
        /// Whether the key has signed a valid SAS: only the TPM holding it can, so it belongs to the real device.
        public var proven: Bool
    }

    private var issued: [String: [Issued]] = [:]
    private var total = 0
    private var recordsSinceSweep = 0
    /// How long an identity key is accepted after its challenge (device SDKs sign DPS tokens for a day at most).
    public let lifetime: TimeInterval
    /// How many outstanding keys one registration id keeps.
    public let keysPerRegistration: Int
    /// How many outstanding keys one source address keeps per registration id.
    public let keysPerSource: Int
    /// How long an unused key is safe from eviction by other sources.
    public let answerWindow: TimeInterval
    /// How many outstanding keys the store keeps over all registrations.
    public let totalKeys: Int

    /// Creates an empty store.
    public init(lifetime: TimeInterval = 86_400, keysPerRegistration: Int = 8, keysPerSource: Int = 2,
                answerWindow: TimeInterval = 300, totalKeys: Int = 100_000) {
        self.lifetime = lifetime
        self.keysPerRegistration = max(1, keysPerRegistration)
        self.keysPerSource = max(1, keysPerSource)
        self.answerWindow = answerWindow
        self.totalKeys = max(1, totalKeys)
    }

    /// Records a key issued at `now` for a challenge asked from `source`; false when it may not be kept (the
    /// registration or the store is full of keys that must not be evicted), and the challenge must be refused.
    @discardableResult
    public func record(registrationId: String, key: [UInt8], storageRootKey: TPMPublicArea, source: String = "unknown",
                       now: Date) -> Bool {
        let id = registrationId.lowercased()
        var keys = current(id, now: now)
        // The same source replaces its own oldest keys first.
        while keys.filter({ $0.source == source }).count >= keysPerSource,
              let oldest = keys.lastIndex(where: { $0.source == source }) {
            keys.remove(at: oldest)
        }
        if keys.count >= keysPerRegistration {
            guard let evictable = keys.lastIndex(where: { !$0.proven && $0.source != source && now.timeIntervalSince($0.issued) >= answerWindow })
            else {
                store(keys, for: id)
                return false
            }
            keys.remove(at: evictable)
        }
        if total - (issued[id]?.count ?? 0) + keys.count >= totalKeys {
            store(keys, for: id)
            sweep(now: now)
            if total >= totalKeys { return false }
        }
        keys.insert(Issued(key: key, storageRootKey: storageRootKey, expiry: now.addingTimeInterval(lifetime),
                           source: source, issued: now, proven: false), at: 0)
        store(keys, for: id)
        recordsSinceSweep += 1
        if recordsSinceSweep >= 1024 {
            recordsSinceSweep = 0
            sweep(now: now)
        }
        return true
    }

    /// The unexpired keys of `registrationId`, newest first.
    public func keys(registrationId: String, now: Date) -> [Issued] {
        let id = registrationId.lowercased()
        let keys = current(id, now: now)
        store(keys, for: id)
        return keys
    }

    /// Marks `key` of `registrationId` as having signed a valid SAS, which protects it from other sources.
    public func markProven(registrationId: String, key: [UInt8]) {
        let id = registrationId.lowercased()
        guard var keys = issued[id], let index = keys.firstIndex(where: { $0.key == key }) else { return }
        keys[index].proven = true
        issued[id] = keys
    }

    /// Keys held over all registrations.
    public var count: Int { total }

    private func current(_ id: String, now: Date) -> [Issued] {
        (issued[id] ?? []).filter { $0.expiry > now }
    }

    private func store(_ keys: [Issued], for id: String) {
        total += keys.count - (issued[id]?.count ?? 0)
        issued[id] = keys.isEmpty ? nil : keys
    }

    /// Drops every expired key, so ids whose devices never came back do not accumulate.
    private func sweep(now: Date) {
        issued = issued.compactMapValues { keys in
            let live = keys.filter { $0.expiry > now }
            return live.isEmpty ? nil : live
        }
        total = issued.values.reduce(0) { $0 + $1.count }
    }
}
