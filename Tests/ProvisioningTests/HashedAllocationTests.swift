import Foundation
import Provisioning
import Testing

@Suite struct HashedAllocationTests {
    static let ids = (0..<3_000).map { "device-\($0)" }

    /// How many of `ids` each hub gets.
    static func counts(_ ids: [String], among hubs: [HubDescriptor]) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for id in ids { counts[try HashedAllocation.choose(registrationId: id, among: hubs).name, default: 0] += 1 }
        return counts
    }

    @Test func sameDeviceAndHubSetGiveTheSameHubInAnyOrder() async throws {
        for id in Self.ids.prefix(200) {
            let first = try HashedAllocation.choose(registrationId: id, among: TestHubs.all)
            #expect(try HashedAllocation.choose(registrationId: id, among: TestHubs.all) == first)
            #expect(try HashedAllocation.choose(registrationId: id, among: TestHubs.all.reversed()) == first)
        }
        let device = TestDevices.individual("device-7")
        let decision = try await HashedAllocation().allocate(try TestDevices.request(device))
        #expect(decision == AllocationDecision(hub: try HashedAllocation.choose(registrationId: "device-7", among: TestHubs.all)))
        #expect(decision.initialTwin == nil && decision.payload == nil)
    }

    @Test func equalWeightsSpreadEvenly() throws {
        let counts = try Self.counts(Self.ids, among: TestHubs.all)
        #expect(counts.count == 3)
        for hub in TestHubs.all {
            let count = counts[hub.name, default: 0]
            #expect((850...1_150).contains(count), "\(hub.name) got \(count) of 3000")
        }
    }

    @Test func weightsOneToThreeSplitOneToThree() throws {
        let light = HubDescriptor(name: "light", hostName: "light.provisio.test", weight: 1)
        let heavy = HubDescriptor(name: "heavy", hostName: "heavy.provisio.test", weight: 3)
        let ids = (0..<4_000).map { "weighted-\($0)" }
        let counts = try Self.counts(ids, among: [light, heavy])
        let share = Double(counts["heavy", default: 0]) / Double(ids.count)
        #expect((0.70...0.80).contains(share), "heavy got \(share)")
    }

    @Test func weightZeroHubsOnlyTakeDevicesWhenNamed() async throws {
        let drained = HubDescriptor(name: "drained", hostName: "drained.provisio.test", weight: 0)
        let linked = TestHubs.all + [drained]
        for id in Self.ids.prefix(500) {
            let request = try TestDevices.request(TestDevices.individual(id), linked: linked)
            #expect(!request.candidates.contains(drained))
            #expect(try await HashedAllocation().allocate(request).hub != drained)
        }
        let named = TestDevices.individual("named-1") { $0.iotHubs = ["drained.provisio.test"] }
        #expect(try await HashedAllocation().allocate(try TestDevices.request(named, linked: linked)).hub == drained)
        let namedWithOthers = TestDevices.individual("named-2") { $0.iotHubs = ["drained.provisio.test", "hub-a.provisio.test"] }
        #expect(try TestDevices.request(namedWithOthers, linked: linked).candidates == [TestHubs.a, drained])
        let counts = try Self.counts(Self.ids, among: [TestHubs.a, drained])
        #expect(counts["drained", default: 0] > 1_000, "a named weight-0 hub counts as weight 1 among named hubs")
    }

    @Test func removingAHubMovesOnlyItsDevices() throws {
        let before = Dictionary(uniqueKeysWithValues: try Self.ids.map { ($0, try HashedAllocation.choose(registrationId: $0, among: TestHubs.all)) })
        var moved = 0
        for id in Self.ids {
            let after = try HashedAllocation.choose(registrationId: id, among: [TestHubs.a, TestHubs.c])
            if before[id] == TestHubs.b {
                moved += 1
            } else {
                #expect(after == before[id], "\(id) moved off a hub that stayed")
            }
        }
        #expect(moved > 0)
        // And adding the hub back only takes devices onto it.
        for id in Self.ids {
            let back = try HashedAllocation.choose(registrationId: id, among: TestHubs.all)
            #expect(back == before[id])
        }
    }

    @Test func registrationIdsCompareCaseInsensitively() throws {
        for id in Self.ids.prefix(300) {
            let upper = id.uppercased().replacingOccurrences(of: "DEVICE", with: "Device")
            #expect(try HashedAllocation.choose(registrationId: upper, among: TestHubs.all)
                == HashedAllocation.choose(registrationId: id, among: TestHubs.all))
        }
    }

    @Test func noCandidatesFailsAllocation() async throws {
        let error = #expect(throws: ProvisioningError.self) { try HashedAllocation.choose(registrationId: "x", among: []) }
        #expect(error?.errorCode == 400_209)
    }
}
