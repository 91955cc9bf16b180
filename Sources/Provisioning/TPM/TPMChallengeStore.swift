import Foundation

/// The identity keys issued in TPM challenges and not yet expired, per registration id, so the device's SAS can be
/// checked against them. In memory: after a restart a device answers a fresh challenge, as after any 401.
///
/// Each registration keeps its few most recent keys, so a stranger who asks for a challenge with a known EK cannot
/// void the one the real device is answering (the stranger cannot use the key: only that TPM can import it).
public actor TPMChallengeStore {
    /// An issued identity key and the storage root key it was wrapped for.
    public struct Issued: Sendable {
        /// The HMAC key the device imported.
        public var key: [UInt8]
        /// The SRK the key was duplicated to; the hub key is wrapped for the same one.
        public var storageRootKey: TPMPublicArea
        /// When the key stops being accepted.
        public var expiry: Date
    }

    private var issued: [String: [Issued]] = [:]
    private var recordsSinceSweep = 0
    /// How long an identity key is accepted after its challenge (device SDKs sign DPS tokens for a day at most).
    public let lifetime: TimeInterval
    /// How many outstanding keys one registration id keeps.
    public let keysPerRegistration: Int

    /// Creates an empty store.
    public init(lifetime: TimeInterval = 86_400, keysPerRegistration: Int = 4) {
        self.lifetime = lifetime
        self.keysPerRegistration = keysPerRegistration
    }

    /// Records a key issued at `now`.
    public func record(registrationId: String, key: [UInt8], storageRootKey: TPMPublicArea, now: Date) {
        let id = registrationId.lowercased()
        var keys = current(id, now: now)
        keys.insert(Issued(key: key, storageRootKey: storageRootKey, expiry: now.addingTimeInterval(lifetime)), at: 0)
        issued[id] = Array(keys.prefix(keysPerRegistration))
        recordsSinceSweep += 1
        if recordsSinceSweep >= 1024 {
            recordsSinceSweep = 0
            sweep(now: now)
        }
    }

    /// The unexpired keys of `registrationId`, newest first.
    public func keys(registrationId: String, now: Date) -> [Issued] {
        let id = registrationId.lowercased()
        let keys = current(id, now: now)
        issued[id] = keys.isEmpty ? nil : keys
        return keys
    }

    private func current(_ id: String, now: Date) -> [Issued] {
        (issued[id] ?? []).filter { $0.expiry > now }
    }

    /// Drops every expired key, so ids whose devices never came back do not accumulate.
    private func sweep(now: Date) {
        issued = issued.compactMapValues { keys in
            let live = keys.filter { $0.expiry > now }
            return live.isEmpty ? nil : live
        }
    }
}
