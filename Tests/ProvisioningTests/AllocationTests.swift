import Foundation
import Provisioning
import Testing

/// Candidate hubs, static and geoLatency allocation.
@Suite struct AllocationTests {
    @Test func enrollmentHubsNarrowTheCandidatesCaseInsensitively() throws {
        let device = TestDevices.individual("dev") { $0.iotHubs = ["HUB-C.Provisio.Test", "hub-a.provisio.test"] }
        #expect(try AllocationCandidates.eligible(settings: device.settings, linkedHubs: TestHubs.all) == [TestHubs.a, TestHubs.c])
        let group = TestDevices.member("dev", of: "g") { $0.iotHubs = ["hub-b.PROVISIO.test"] }
        #expect(try AllocationCandidates.eligible(settings: group.settings, linkedHubs: TestHubs.all) == [TestHubs.b])
    }

    @Test func noOrEmptyHubListMeansEveryWeightedLinkedHub() throws {
        let drained = HubDescriptor(name: "drained", hostName: "drained.provisio.test", weight: 0)
        let none = TestDevices.individual("dev")
        #expect(try AllocationCandidates.eligible(settings: none.settings, linkedHubs: TestHubs.all + [drained]) == TestHubs.all)
        let empty = TestDevices.individual("dev") { $0.iotHubs = [] }
        #expect(try AllocationCandidates.eligible(settings: empty.settings, linkedHubs: TestHubs.all + [drained]) == TestHubs.all)
        let error = #expect(throws: ProvisioningError.self) {
            try AllocationCandidates.eligible(settings: none.settings, linkedHubs: [drained])
        }
        #expect(error == .allocationFailed("no linked hub takes part in allocation"))
    }

    @Test func legacyIotHubHostNameNamesTheHub() throws {
        let device = TestDevices.individual("dev") { $0.iotHubHostName = "Hub-B.provisio.test" }
        #expect(try AllocationCandidates.eligible(settings: device.settings, linkedHubs: TestHubs.all) == [TestHubs.b])
    }

    @Test func unknownHubsFailAllocation() throws {
        let device = TestDevices.individual("dev") { $0.iotHubs = ["gone.provisio.test"] }
        let error = #expect(throws: ProvisioningError.self) {
            try AllocationCandidates.eligible(settings: device.settings, linkedHubs: TestHubs.all)
        }
        #expect(error?.status == 400)
        #expect(error?.errorCode == 400_209)
        #expect(error?.message.contains("gone.provisio.test") == true)
        let legacy = TestDevices.individual("dev") { $0.iotHubHostName = "gone.provisio.test" }
        #expect(throws: ProvisioningError.allocationFailed("none of the enrollment's hubs (gone.provisio.test) is linked")) {
            try AllocationCandidates.eligible(settings: legacy.settings, linkedHubs: TestHubs.all)
        }
    }

    @Test func staticTakesTheOneNamedHub() async throws {
        let device = TestDevices.individual("dev") {
            $0.allocationPolicy = .static
            $0.iotHubs = ["hub-c.provisio.test"]
        }
        #expect(try await StaticAllocation().allocate(try TestDevices.request(device)) == AllocationDecision(hub: TestHubs.c))
        let legacy = TestDevices.individual("dev") { $0.iotHubHostName = "hub-b.provisio.test" }
        #expect(try await StaticAllocation().allocate(try TestDevices.request(legacy)).hub == TestHubs.b)
    }

    @Test func staticWithTwoHubsFails() async throws {
        let device = TestDevices.individual("dev") {
            $0.allocationPolicy = .static
            $0.iotHubs = ["hub-a.provisio.test", "hub-b.provisio.test"]
        }
        let request = try TestDevices.request(device)
        let error = await #expect(throws: ProvisioningError.self) { try await StaticAllocation().allocate(request) }
        #expect(error?.errorCode == 400_209)
        #expect(error?.message.contains("exactly one hub") == true)
    }

    @Test func geoLatencyPicksTheLowestLatency() async throws {
        let hubs = [
            HubDescriptor(name: "far", hostName: "far.provisio.test", latencyMilliseconds: 80),
            HubDescriptor(name: "near", hostName: "near.provisio.test", latencyMilliseconds: 4),
            HubDescriptor(name: "mid", hostName: "mid.provisio.test", latencyMilliseconds: 20),
            HubDescriptor(name: "unmeasured", hostName: "unmeasured.provisio.test"),
        ]
        for index in 0..<200 {
            let request = try TestDevices.request(TestDevices.individual("geo-\(index)"), linked: hubs)
            #expect(try await GeoLatencyAllocation().allocate(request).hub.name == "near")
        }
    }

    @Test func geoLatencyTiesFallBackToTheWeightedHash() async throws {
        let tiedA = HubDescriptor(name: "tied-a", hostName: "tied-a.provisio.test", latencyMilliseconds: 5)
        let tiedB = HubDescriptor(name: "tied-b", hostName: "tied-b.provisio.test", weight: 2, latencyMilliseconds: 5)
        let slow = HubDescriptor(name: "slow", hostName: "slow.provisio.test", weight: 100, latencyMilliseconds: 50)
        var chosen: Set<String> = []
        for index in 0..<300 {
            let id = "geo-tie-\(index)"
            let decision = try await GeoLatencyAllocation().allocate(try TestDevices.request(TestDevices.individual(id), linked: [tiedA, slow, tiedB]))
            #expect(decision.hub == (try HashedAllocation.choose(registrationId: id, among: [tiedA, tiedB])))
            chosen.insert(decision.hub.name)
        }
        #expect(chosen == ["tied-a", "tied-b"])

        // Without any measurement every hub ties: geoLatency behaves like hashed.
        for index in 0..<100 {
            let id = "geo-none-\(index)"
            let decision = try await GeoLatencyAllocation().allocate(try TestDevices.request(TestDevices.individual(id)))
            #expect(decision.hub == (try HashedAllocation.choose(registrationId: id, among: TestHubs.all)))
        }
    }
}
