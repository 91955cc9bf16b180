import Foundation
import Gateway
import Hub
import NIOCore
import Synchronization
import Testing

@Suite struct CredentialLapseTests {
    static let hubDevice = SessionBinding(endpoint: .hub(shard: "hub-1"), identity: "dev1")
    static let hubModule = SessionBinding(endpoint: .hub(shard: "hub-1"), identity: "dev1", moduleId: "mod")
    static let otherShard = SessionBinding(endpoint: .hub(shard: "hub-2"), identity: "dev1")
    static let dpsIndividual = SessionBinding(endpoint: .dps, identity: "dev1",
                                              enrollment: EnrollmentReference(kind: .individual, id: "dev1"),
                                              certificateSerial: "0A1B")
    static let dpsGroupMember = SessionBinding(endpoint: .dps, identity: "member-7",
                                               enrollment: EnrollmentReference(kind: .group, id: "Fleet"))

    @Test func deviceLapseEndsTheDeviceAndItsModulesOnItsShardOnly() {
        let lapse = CredentialLapse.device(shard: "hub-1", deviceId: "dev1", moduleId: nil)
        #expect(lapse.ends(Self.hubDevice))
        #expect(lapse.ends(Self.hubModule))
        #expect(!lapse.ends(Self.otherShard))
        #expect(!lapse.ends(Self.dpsIndividual), "a hub device change leaves DPS sessions to their own checks")
    }

    @Test func deviceLapseEverywhereEndsEveryShard() {
        let lapse = CredentialLapse.device(shard: nil, deviceId: "dev1", moduleId: nil)
        #expect(lapse.ends(Self.hubDevice))
        #expect(lapse.ends(Self.otherShard))
    }

    @Test func moduleLapseEndsOnlyThatModule() {
        let lapse = CredentialLapse.device(shard: "hub-1", deviceId: "dev1", moduleId: "MOD")
        #expect(lapse.ends(Self.hubModule))
        #expect(!lapse.ends(Self.hubDevice))
    }

    @Test func noSpellingOfAnIdEscapes() {
        let upper = SessionBinding(endpoint: .hub(shard: "hub-1"), identity: "DEV1")
        #expect(CredentialLapse.device(shard: "hub-1", deviceId: "dev1", moduleId: nil).ends(upper))
        #expect(CredentialLapse.device(shard: "hub-1", deviceId: "Dev1", moduleId: nil).ends(Self.hubDevice))
    }

    @Test func revocationEndsSessionsPresentingTheCertificateAndTheDevicesHubSessions() {
        let lapse = CredentialLapse.certificateRevoked(serialNumber: "0a1b", deviceId: "dev1", superseded: false)
        #expect(lapse.ends(Self.dpsIndividual), "the DPS session that presented the certificate")
        #expect(lapse.ends(Self.hubDevice))
        #expect(lapse.ends(Self.otherShard))
        #expect(!lapse.ends(Self.dpsGroupMember))
        let otherCertificate = CredentialLapse.certificateRevoked(serialNumber: "FFFF", deviceId: "dev1", superseded: false)
        #expect(!otherCertificate.ends(Self.dpsIndividual), "a DPS session is bound to the certificate it presented")
    }

    @Test func aSupersededCertificateKeepsItsDPSSessionToPollTheRenewal() {
        let lapse = CredentialLapse.certificateRevoked(serialNumber: "0A1B", deviceId: "dev1", superseded: true)
        #expect(!lapse.ends(Self.dpsIndividual))
        #expect(lapse.ends(Self.hubDevice))
    }

    @Test func enrollmentLapseEndsTheDPSSessionsItAttested() {
        #expect(CredentialLapse.enrollmentDisabled(EnrollmentReference(kind: .group, id: "fleet")).ends(Self.dpsGroupMember))
        #expect(!CredentialLapse.enrollmentDisabled(EnrollmentReference(kind: .individual, id: "fleet")).ends(Self.dpsGroupMember))
        #expect(CredentialLapse.enrollmentDisabled(EnrollmentReference(kind: .individual, id: "DEV1")).ends(Self.dpsIndividual))
        #expect(!CredentialLapse.enrollmentDisabled(EnrollmentReference(kind: .individual, id: "dev1")).ends(Self.hubDevice))
    }
}

@Suite struct AuthorizedSessionRegistryTests {
    final class Closings: Sendable {
        private let names = Mutex<[String]>([])
        func record(_ name: String) { names.withLock { $0.append(name) } }
        var all: [String] { names.withLock { $0 } }
    }

    @Test func aLapseClosesAndForgetsExactlyTheSessionsItEnds() {
        let registry = AuthorizedSessionRegistry()
        let closings = Closings()
        _ = registry.register(CredentialLapseTests.hubDevice) { closings.record("hub-1") }
        _ = registry.register(CredentialLapseTests.otherShard) { closings.record("hub-2") }
        _ = registry.register(CredentialLapseTests.dpsGroupMember) { closings.record("dps") }
        #expect(registry.close(.device(shard: "hub-1", deviceId: "DEV1", moduleId: nil)) == 1)
        #expect(closings.all == ["hub-1"])
        #expect(registry.close(.device(shard: "hub-1", deviceId: "dev1", moduleId: nil)) == 0, "closed sessions are forgotten")
        #expect(registry.close(.enrollmentDisabled(EnrollmentReference(kind: .group, id: "fleet"))) == 1)
        #expect(closings.all == ["hub-1", "dps"])
        #expect(registry.bindings == [CredentialLapseTests.otherShard])
    }

    @Test func anUnregisteredSessionIsNotClosed() {
        let registry = AuthorizedSessionRegistry()
        let closings = Closings()
        let registration = registry.register(CredentialLapseTests.hubDevice) { closings.record("hub-1") }
        registry.unregister(registration)
        #expect(registry.close(.device(shard: nil, deviceId: "dev1", moduleId: nil)) == 0)
        #expect(closings.all.isEmpty)
        registry.unregister(registration)
    }
}

@Suite struct SessionExpiryTests {
    static let now = Date(timeIntervalSince1970: 1_704_067_200)

    @Test func theDelayIsTheTimeLeft() {
        #expect(SessionExpiry.delay(until: Self.now.addingTimeInterval(90), now: Self.now) == .seconds(90))
    }

    @Test func aPastExpiryClosesAtOnce() {
        #expect(SessionExpiry.delay(until: Self.now.addingTimeInterval(-5), now: Self.now) == .zero)
    }

    @Test func anExpiryCenturiesAwayIsClampedInsteadOfTrapping() {
        let maximum = TimeAmount.milliseconds(Int64(SessionExpiry.maximumLifetime * 1000))
        // The `se` of the attack (10000000000000000 s) and the largest a Date holds.
        #expect(SessionExpiry.delay(until: Date(timeIntervalSince1970: 1e16), now: Self.now) == maximum)
        #expect(SessionExpiry.delay(until: .distantFuture, now: Self.now) == maximum)
        #expect(SessionExpiry.delay(until: Date(timeIntervalSince1970: .greatestFiniteMagnitude), now: Self.now) == maximum)
        #expect(SessionExpiry.delay(until: Date(timeIntervalSince1970: .infinity), now: Self.now) == maximum)
        #expect(SessionExpiry.delay(until: Date(timeIntervalSince1970: .nan), now: Self.now) == .zero)
    }
}
