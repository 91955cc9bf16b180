import Foundation
import Testing
@testable import Provisioning

/// An EK is public: strangers can ask for challenges for it, and must not be able to evict the real TPM's key.
@Suite struct TPMChallengeStoreTests {
    let srk: TPMPublicArea
    let start = Date(timeIntervalSince1970: 1_000)

    init() throws {
        srk = try TPMPublicArea(sizedBytes: TPMVectors.storageRootKeyBytes)
    }

    func at(_ seconds: TimeInterval) -> Date { start.addingTimeInterval(seconds) }

    @Test func strangersCannotEvictTheOwnersPendingChallenge() async {
        let store = TPMChallengeStore(keysPerRegistration: 4, keysPerSource: 2, answerWindow: 300)
        #expect(await store.record(registrationId: "tpm", key: [0], storageRootKey: srk, source: "owner", now: at(0)))
        for index in 1...20 {
            // Many strangers, from one address and from many.
            await store.record(registrationId: "tpm", key: [UInt8(index)], storageRootKey: srk, source: "stranger", now: at(Double(index)))
            await store.record(registrationId: "tpm", key: [UInt8(100 + index)], storageRootKey: srk, source: "s\(index)", now: at(Double(index)))
        }
        let keys = await store.keys(registrationId: "TPM", now: at(30)).map(\.key)
        #expect(keys.contains([0]), "the owner's key survives a flood of third-party challenges")
        #expect(keys.count <= 4)
        #expect(keys.filter { $0 == [19] || $0 == [20] }.count == 2, "one source keeps only its newest two")
    }

    @Test func aFullRegistrationRefusesNewSourcesUntilUnansweredKeysAge() async {
        let store = TPMChallengeStore(keysPerRegistration: 2, keysPerSource: 1, answerWindow: 60)
        #expect(await store.record(registrationId: "tpm", key: [1], storageRootKey: srk, source: "a", now: at(0)))
        #expect(await store.record(registrationId: "tpm", key: [2], storageRootKey: srk, source: "b", now: at(1)))
        #expect(!(await store.record(registrationId: "tpm", key: [3], storageRootKey: srk, source: "c", now: at(2))),
                "refused rather than evicting a key that may be answered right now")
        #expect(await store.record(registrationId: "tpm", key: [4], storageRootKey: srk, source: "a", now: at(3)),
                "a source may always replace its own key")
        #expect(await store.keys(registrationId: "tpm", now: at(3)).map(\.key) == [[4], [2]])
        #expect(await store.record(registrationId: "tpm", key: [5], storageRootKey: srk, source: "c", now: at(62)),
                "past the answer window an unused key of another source may go")
        #expect(await store.keys(registrationId: "tpm", now: at(62)).map(\.key) == [[5], [4]])
    }

    @Test func aKeyThatSignedAValidTokenIsNeverEvictedByOthers() async {
        let store = TPMChallengeStore(keysPerRegistration: 2, keysPerSource: 1, answerWindow: 60)
        await store.record(registrationId: "tpm", key: [1], storageRootKey: srk, source: "owner", now: at(0))
        await store.markProven(registrationId: "tpm", key: [1])
        await store.record(registrationId: "tpm", key: [2], storageRootKey: srk, source: "b", now: at(1))
        #expect(await store.record(registrationId: "tpm", key: [3], storageRootKey: srk, source: "c", now: at(1_000)))
        #expect(await store.keys(registrationId: "tpm", now: at(1_000)).map(\.key) == [[3], [1]], "b's stale key went, the proven one stays")
        #expect(!(await store.record(registrationId: "tpm", key: [4], storageRootKey: srk, source: "d", now: at(1_001))))
    }

    @Test func theStoreIsBoundedOverAllRegistrations() async {
        let store = TPMChallengeStore(lifetime: 100, totalKeys: 3)
        for index in 0..<3 {
            #expect(await store.record(registrationId: "tpm-\(index)", key: [UInt8(index)], storageRootKey: srk, now: at(0)))
        }
        #expect(!(await store.record(registrationId: "tpm-9", key: [9], storageRootKey: srk, now: at(1))), "full: refused")
        #expect(await store.count == 3)
        #expect(await store.record(registrationId: "tpm-9", key: [9], storageRootKey: srk, now: at(101)), "expired keys make room")
        #expect(await store.count == 1)
    }
}
