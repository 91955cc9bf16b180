import ProvisioTestSupport
import Foundation
import Provisioning
import Testing

@Suite struct RegistrationServiceTests {
    static let initialTwin = json(#"{"tags":{"site":"lab"},"properties":{"desired":{"interval":30}}}"#)
    static let changedTwin = json(#"{"tags":{"site":"lab","owner":"ops"},"properties":{"desired":{"interval":5}}}"#)
    static let keys = DeviceAuthentication.symmetricKey(primaryKey: TestDevices.primaryKey, secondaryKey: TestDevices.secondaryKey)

    /// `dev-1` with an initial twin, limited to `hubs`, re-provisioned per `policy`.
    static func device(hubs: [HubDescriptor]? = nil, policy: ReprovisionPolicy = ReprovisionPolicy(),
                       _ configure: (inout IndividualEnrollment) -> Void = { _ in }) -> AttestedDevice {
        TestDevices.individual("dev-1") {
            $0.iotHubs = hubs?.map(\.hostName)
            $0.initialTwin = initialTwin
            $0.reprovisionPolicy = policy
            configure(&$0)
        }
    }

    static func provisioning(_ deviceId: String = "dev-1", twin: JSONValue?, replace: Bool,
                             capabilities: DeviceCapabilities? = nil) -> DeviceProvisioning {
        DeviceProvisioning(deviceId: deviceId, authentication: keys, twin: twin, replaceTwin: replace, capabilities: capabilities)
    }

    @Test func firstRegistrationProvisionsThenSavesADurableRecord() async throws {
        let fixture = RegistrationFixture()
        let device = TestDevices.individual("dev-1") {
            $0.deviceId = "device-one"
            $0.initialTwin = Self.initialTwin
            $0.capabilities = DeviceCapabilities(iotEdge: true)
        }
        let record = try await fixture.register(device, operationId: "op-1")

        let hub = try HashedAllocation.choose(registrationId: "dev-1", among: TestHubs.all)
        let state = record.state
        #expect(state.registrationId == "dev-1")
        #expect(state.status == .assigned)
        #expect(state.substatus == .initialAssignment)
        #expect(state.assignedHub == hub.hostName)
        #expect(state.deviceId == "device-one")
        #expect(isQuotedUUID(state.etag))
        #expect(state.createdDateTimeUtc == "2024-01-01T00:00:00.0000000Z")
        #expect(state.lastUpdatedDateTimeUtc == state.createdDateTimeUtc)
        #expect(state.errorCode == nil && state.errorMessage == nil && state.payload == nil)
        #expect(state.symmetricKey == SymmetricKeyRegistrationResult(enrollmentGroupId: nil))
        #expect(record.operationId == "op-1")
        #expect(record.hubName == hub.name)
        #expect(record.enrollmentGroupId == nil)
        #expect(record.previousHubNames.isEmpty)
        #expect(await fixture.repository.registration(registrationId: "DEV-1") == record)
        #expect(fixture.directory.log == [
            .provisionStarted(hub: hub.name, Self.provisioning("device-one", twin: Self.initialTwin, replace: true,
                                                               capabilities: DeviceCapabilities(iotEdge: true))),
            .provisioned(hub: hub.name, deviceId: "device-one"),
            .registrationSaved(registrationId: "dev-1", hub: hub.name, deviceOnHub: true),
        ])
        #expect(fixture.directory.storedTwin("device-one", on: hub.name) == Self.initialTwin)
    }

    @Test func groupMembersAreRecordedUnderTheirGroup() async throws {
        let fixture = RegistrationFixture()
        let device = TestDevices.member("member-1", of: "group-1") { $0.iotHubs = ["hub-c.provisio.test"] }
        let record = try await fixture.register(device, operationId: "op-g")
        #expect(record.enrollmentGroupId == "group-1")
        #expect(record.state.assignedHub == "hub-c.provisio.test")
        #expect(record.state.symmetricKey == SymmetricKeyRegistrationResult(enrollmentGroupId: "group-1"))
        #expect(await fixture.repository.registrations(enrollmentGroupId: "GROUP-1") == [record])
    }

    @Test func operationStatusFindsTheRecordForItsOwnRegistrationIdOnly() async throws {
        let fixture = RegistrationFixture()
        let record = try await fixture.register(Self.device(), operationId: "op-1")

        let status = try await fixture.service.operationStatus(operationId: "op-1", registrationId: "Dev-1")
        #expect(status == RegistrationOperationStatus(operationId: "op-1", status: .assigned, registrationState: record.state))
        let other = await expectProvisioningError(status: 404) {
            _ = try await fixture.service.operationStatus(operationId: "op-1", registrationId: "dev-2")
        }
        #expect(other?.errorCode == 404_005)
        await expectProvisioningError(status: 404) { _ = try await fixture.service.operationStatus(operationId: "op-x", registrationId: "dev-1") }
        #expect(try await fixture.service.registrationState(registrationId: "DEV-1") == record.state)
        await expectProvisioningError(status: 404) { _ = try await fixture.service.registrationState(registrationId: "dev-2") }

        // A later registration is a new operation; polls of the old one no longer find it.
        try await fixture.register(Self.device(), operationId: "op-2")
        #expect(try await fixture.service.operationStatus(operationId: "op-2", registrationId: "dev-1").status == .assigned)
        await expectProvisioningError(status: 404) { _ = try await fixture.service.operationStatus(operationId: "op-1", registrationId: "dev-1") }
    }

    @Test func neverReprovisionKeepsTheHubAndTheTwin() async throws {
        let fixture = RegistrationFixture()
        let first = try await fixture.register(Self.device(hubs: [TestHubs.a]), operationId: "op-1")
        fixture.directory.setTwin(Self.changedTwin, deviceId: "dev-1", on: "hub-a")
        fixture.directory.clearLog()
        fixture.clock.advance(by: 60)

        let sticky = Self.device(hubs: [TestHubs.b], policy: ReprovisionPolicy(updateHubAssignment: false, migrateDeviceData: false))
        let second = try await fixture.register(sticky, operationId: "op-2")
        #expect(second.state.assignedHub == "hub-a.provisio.test")
        #expect(second.hubName == "hub-a")
        #expect(second.state.substatus == .initialAssignment)
        #expect(second.state.createdDateTimeUtc == first.state.createdDateTimeUtc)
        #expect(second.state.lastUpdatedDateTimeUtc == "2024-01-01T00:01:00.0000000Z")
        #expect(second.state.etag != first.state.etag)
        #expect(second.operationId == "op-2")
        #expect(fixture.directory.log == [
            .provisionStarted(hub: "hub-a", Self.provisioning(twin: nil, replace: false)),
            .provisioned(hub: "hub-a", deviceId: "dev-1"),
            .registrationSaved(registrationId: "dev-1", hub: "hub-a", deviceOnHub: true),
        ])
        #expect(fixture.directory.storedTwin("dev-1", on: "hub-a") == Self.changedTwin)
    }

    @Test func migrateMovesTheDeviceWithItsTwinWhenItsHubLeavesTheSet() async throws {
        let fixture = RegistrationFixture()
        try await fixture.register(Self.device(hubs: [TestHubs.a]), operationId: "op-1")
        fixture.directory.setTwin(Self.changedTwin, deviceId: "dev-1", on: "hub-a")
        fixture.directory.clearLog()

        let second = try await fixture.register(Self.device(hubs: [TestHubs.b, TestHubs.c]), operationId: "op-2")
        let target = try HashedAllocation.choose(registrationId: "dev-1", among: [TestHubs.b, TestHubs.c])
        #expect(second.state.status == .assigned)
        #expect(second.state.substatus == .deviceDataMigrated)
        #expect(second.state.assignedHub == target.hostName)
        #expect(second.previousHubNames == ["hub-a"])
        #expect(fixture.directory.log == [
            .twinRead(hub: "hub-a", deviceId: "dev-1"),
            .provisionStarted(hub: target.name, Self.provisioning(twin: Self.changedTwin, replace: true)),
            .provisioned(hub: target.name, deviceId: "dev-1"),
            .deprovisioned(hub: "hub-a", deviceId: "dev-1"),
            .registrationSaved(registrationId: "dev-1", hub: target.name, deviceOnHub: true),
        ])
        #expect(fixture.directory.device("dev-1", on: "hub-a") == nil)
        #expect(fixture.directory.storedTwin("dev-1", on: target.name) == Self.changedTwin)
    }

    @Test func migrateMovesTheDeviceOffADrainedLinkedHub() async throws {
        let fixture = RegistrationFixture()
        let first = try await fixture.register(Self.device(), operationId: "op-1")
        let original = try #require(fixture.hub(named: first.hubName))
        fixture.directory.setHubs(TestHubs.all.map { $0 == original ? HubDescriptor(name: $0.name, hostName: $0.hostName, weight: 0) : $0 })
        fixture.directory.clearLog()

        let second = try await fixture.register(Self.device(), operationId: "op-2")
        let remaining = TestHubs.all.filter { $0 != original }
        let target = try HashedAllocation.choose(registrationId: "dev-1", among: remaining)
        #expect(second.state.substatus == .deviceDataMigrated)
        #expect(second.hubName == target.name)
        #expect(fixture.directory.log.first == .twinRead(hub: original.name, deviceId: "dev-1"))
        #expect(fixture.directory.log.contains(.deprovisioned(hub: original.name, deviceId: "dev-1")))
        #expect(fixture.directory.device("dev-1", on: original.name) == nil)
        #expect(fixture.directory.device("dev-1", on: target.name) != nil)
    }

    @Test func resetMovesTheDeviceWithTheInitialTwin() async throws {
        let fixture = RegistrationFixture()
        try await fixture.register(Self.device(hubs: [TestHubs.a]), operationId: "op-1")
        fixture.directory.setTwin(Self.changedTwin, deviceId: "dev-1", on: "hub-a")
        fixture.directory.clearLog()

        let reset = Self.device(hubs: [TestHubs.b], policy: ReprovisionPolicy(updateHubAssignment: true, migrateDeviceData: false))
        let second = try await fixture.register(reset, operationId: "op-2")
        #expect(second.state.substatus == .deviceDataReset)
        #expect(second.state.assignedHub == "hub-b.provisio.test")
        #expect(fixture.directory.log == [
            .provisionStarted(hub: "hub-b", Self.provisioning(twin: Self.initialTwin, replace: true)),
            .provisioned(hub: "hub-b", deviceId: "dev-1"),
            .deprovisioned(hub: "hub-a", deviceId: "dev-1"),
            .registrationSaved(registrationId: "dev-1", hub: "hub-b", deviceOnHub: true),
        ])
        #expect(fixture.directory.storedTwin("dev-1", on: "hub-b") == Self.initialTwin)
    }

    @Test func resetOnTheSameHubRestoresTheInitialTwin() async throws {
        let fixture = RegistrationFixture()
        try await fixture.register(Self.device(hubs: [TestHubs.a]), operationId: "op-1")
        fixture.directory.setTwin(Self.changedTwin, deviceId: "dev-1", on: "hub-a")
        fixture.directory.clearLog()

        let reset = Self.device(hubs: [TestHubs.a], policy: ReprovisionPolicy(updateHubAssignment: true, migrateDeviceData: false))
        let second = try await fixture.register(reset, operationId: "op-2")
        #expect(second.state.substatus == .deviceDataReset)
        #expect(second.state.assignedHub == "hub-a.provisio.test")
        #expect(second.previousHubNames.isEmpty)
        #expect(fixture.directory.log == [
            .provisionStarted(hub: "hub-a", Self.provisioning(twin: Self.initialTwin, replace: true)),
            .provisioned(hub: "hub-a", deviceId: "dev-1"),
            .registrationSaved(registrationId: "dev-1", hub: "hub-a", deviceOnHub: true),
        ])
        #expect(fixture.directory.storedTwin("dev-1", on: "hub-a") == Self.initialTwin)
    }

    @Test func migrateOnTheSameHubLeavesTheDeviceAlone() async throws {
        let fixture = RegistrationFixture()
        try await fixture.register(Self.device(hubs: [TestHubs.a]), operationId: "op-1")
        fixture.directory.setTwin(Self.changedTwin, deviceId: "dev-1", on: "hub-a")
        fixture.directory.clearLog()

        let second = try await fixture.register(Self.device(hubs: [TestHubs.a]), operationId: "op-2")
        #expect(second.state.substatus == .initialAssignment)
        #expect(fixture.directory.log == [
            .provisionStarted(hub: "hub-a", Self.provisioning(twin: nil, replace: false)),
            .provisioned(hub: "hub-a", deviceId: "dev-1"),
            .registrationSaved(registrationId: "dev-1", hub: "hub-a", deviceOnHub: true),
        ])
        #expect(fixture.directory.storedTwin("dev-1", on: "hub-a") == Self.changedTwin)
    }

    @Test func movingBackToTheFirstHubIsReprovisionedToInitialAssignment() async throws {
        let fixture = RegistrationFixture()
        try await fixture.register(Self.device(hubs: [TestHubs.a]), operationId: "op-1")
        let moved = try await fixture.register(Self.device(hubs: [TestHubs.b]), operationId: "op-2")
        #expect(moved.state.substatus == .deviceDataMigrated)
        let back = try await fixture.register(Self.device(hubs: [TestHubs.a]), operationId: "op-3")
        #expect(back.state.substatus == .reprovisionedToInitialAssignment)
        #expect(back.state.assignedHub == "hub-a.provisio.test")
        #expect(back.previousHubNames == ["hub-a", "hub-b"])
        #expect(fixture.directory.device("dev-1", on: "hub-b") == nil)
    }

    @Test func allocationFailureRecordsAFailedStateAndProvisionsNothing() async throws {
        let fixture = RegistrationFixture()
        let device = Self.device(hubs: [TestHubs.a, TestHubs.b]) { $0.allocationPolicy = .static }
        let record = try await fixture.register(device, operationId: "op-1")
        #expect(record.state.status == .failed)
        #expect(record.state.errorCode == 400_209)
        #expect(record.state.errorMessage == "static allocation needs exactly one hub in the enrollment")
        #expect(record.state.assignedHub == nil)
        #expect(record.state.substatus == nil)
        #expect(record.hubName == nil)
        #expect(isServiceTimestamp(record.state.lastUpdatedDateTimeUtc))
        #expect(fixture.directory.log == [.registrationSaved(registrationId: "dev-1", hub: nil, deviceOnHub: false)])
        #expect(await fixture.repository.registration(registrationId: "dev-1") == record)
        let status = try await fixture.service.operationStatus(operationId: "op-1", registrationId: "dev-1")
        #expect(status.status == .failed)
        #expect(status.registrationState?.errorCode == 400_209)

        let unknown = try await fixture.register(TestDevices.individual("dev-2") { $0.iotHubs = ["gone.provisio.test"] }, operationId: "op-2")
        #expect(unknown.state.status == .failed)
        #expect(unknown.state.errorMessage?.contains("gone.provisio.test") == true)
        #expect(!fixture.directory.log.contains { if case .provisionStarted = $0 { true } else { false } })
    }

    @Test func hubFailureThrowsAndSavesNothing() async throws {
        let fixture = RegistrationFixture()
        fixture.directory.failProvisioning(with: HubUnreachable())
        await #expect(throws: HubUnreachable.self) { try await fixture.register(Self.device(), operationId: "op-1") }
        #expect(await fixture.repository.registration(registrationId: "dev-1") == nil)
        #expect(!fixture.directory.log.contains { if case .registrationSaved = $0 { true } else { false } })
    }

    @Test func recordIsSavedOnlyOnceTheDeviceIsOnItsHub() async throws {
        let fixture = RegistrationFixture()
        for index in 0..<20 {
            try await fixture.register(TestDevices.individual("order-\(index)"), operationId: "op-\(index)")
        }
        try await fixture.register(Self.device(hubs: [TestHubs.a]), operationId: "op-a")
        try await fixture.register(Self.device(hubs: [TestHubs.c]), operationId: "op-c")
        let saves = fixture.directory.log.filter { if case .registrationSaved = $0 { true } else { false } }
        #expect(saves.count == 22)
        for save in saves {
            guard case .registrationSaved(let id, _, let onHub) = save else { continue }
            #expect(onHub, "\(id) was saved before its hub device existed")
        }
    }

    @Test func concurrentRegistrationsOfOneDeviceAreSerialised() async throws {
        let fixture = RegistrationFixture()
        let device = Self.device()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<8 {
                group.addTask { try await fixture.register(device, operationId: "op-\(index)") }
            }
            try await group.waitForAll()
        }
        let log = fixture.directory.log
        #expect(log.count == 24)
        // Each registration is provision started, provisioned, saved — with nothing of another one in between.
        for start in stride(from: 0, to: log.count, by: 3) {
            let chunk = Array(log[start..<min(start + 3, log.count)])
            guard chunk.count == 3, case .provisionStarted(let hub, _) = chunk[0] else {
                Issue.record("interleaved at \(start): \(chunk)")
                continue
            }
            #expect(chunk[1] == .provisioned(hub: hub, deviceId: "dev-1"), "interleaved at \(start): \(chunk)")
            #expect(chunk[2] == .registrationSaved(registrationId: "dev-1", hub: hub, deviceOnHub: true), "interleaved at \(start): \(chunk)")
        }
        let record = try #require(await fixture.repository.registration(registrationId: "dev-1"))
        #expect(record.state.status == .assigned)
    }

    @Test(.timeLimit(.minutes(3)))
    func registrationsOfOtherDevicesDoNotWait() async throws {
        let fixture = RegistrationFixture()
        fixture.directory.hold("slow-dev")
        let slow = Task { try await fixture.register(TestDevices.individual("slow-dev"), operationId: "op-slow") }
        // Wait until the slow registration is inside its hub call, holding its device's lock.
        let deadline = ContinuousClock.now + .seconds(30)
        while !fixture.directory.log.contains(where: { if case .provisionStarted(_, let device) = $0 { device.deviceId == "slow-dev" } else { false } }) {
            guard ContinuousClock.now < deadline else { Issue.record("slow registration never reached its hub"); return }
            await Task.yield()
        }
        let quick = try await fixture.register(TestDevices.individual("quick-dev"), operationId: "op-quick")
        #expect(quick.state.status == .assigned)
        #expect(await fixture.repository.registration(registrationId: "slow-dev") == nil)
        fixture.directory.release("slow-dev")
        #expect(try await slow.value.state.status == .assigned)
    }

    @Test func customAllocationTwinAndPayloadReachTheHubAndTheDevice() async throws {
        let webhook = RecordingWebhook(answering: json(#"""
            {"iotHubHostName":"hub-b.provisio.test","initialTwin":{"tags":{"from":"webhook"}},"payload":{"slot":4}}
            """#))
        let fixture = RegistrationFixture(webhook: webhook)
        let device = Self.device {
            $0.allocationPolicy = .custom
            $0.customAllocationDefinition = CustomAllocationDefinition(webhookUrl: "https://alloc.provisio.test/hook")
        }
        let record = try await fixture.register(device, payload: json(#"{"model":"m1"}"#), operationId: "op-1")
        #expect(record.state.assignedHub == "hub-b.provisio.test")
        #expect(record.state.payload == json(#"{"slot":4}"#))
        #expect(webhook.posts.first?.body["deviceRuntimeContext"]?["payload"] == json(#"{"model":"m1"}"#))
        #expect(webhook.posts.first?.timeout == .seconds(2))
        #expect(fixture.directory.log.first == .provisionStarted(
            hub: "hub-b", Self.provisioning(twin: json(#"{"tags":{"from":"webhook"}}"#), replace: true)))
    }

    @Test func customAllocationFailureIsAFailedRegistration() async throws {
        let fixture = RegistrationFixture(webhook: RecordingWebhook { _ in Data("<html>oops</html>".utf8) })
        let device = Self.device {
            $0.allocationPolicy = .custom
            $0.customAllocationDefinition = CustomAllocationDefinition(webhookUrl: "https://alloc.provisio.test/hook")
        }
        let record = try await fixture.register(device, operationId: "op-1")
        #expect(record.state.status == .failed)
        #expect(record.state.errorCode == 400_209)
        #expect(record.state.errorMessage == "custom allocation webhook answered something other than a JSON object")
        #expect(fixture.directory.log == [.registrationSaved(registrationId: "dev-1", hub: nil, deviceOnHub: false)])
    }

    /// A webhook that sends first registrations to hub A and re-registrations to `moveTo`, always with its own twin.
    static func movingWebhook(moveTo hostName: String) -> RecordingWebhook {
        RecordingWebhook { request in
            let hub = request["deviceRuntimeContext"]?["currentIotHubHostName"] == nil ? "hub-a.provisio.test" : hostName
            return Data(#"{"iotHubHostName":"\#(hub)","initialTwin":{"tags":{"from":"webhook"}}}"#.utf8)
        }
    }

    static func customDevice(policy: ReprovisionPolicy) -> AttestedDevice {
        device(policy: policy) {
            $0.allocationPolicy = .custom
            $0.customAllocationDefinition = CustomAllocationDefinition(webhookUrl: "https://alloc.provisio.test/hook")
        }
    }

    // Azure (concepts-custom-allocation, AllocationResponse.initialTwin): the webhook's twin is used on initial
    // assignment and on "re-provision and reset"; DPS ignores it for every other re-provisioning setting.
    @Test func customTwinIsIgnoredWhenMigratingToAnotherHub() async throws {
        let fixture = RegistrationFixture(webhook: Self.movingWebhook(moveTo: "hub-b.provisio.test"))
        try await fixture.register(Self.customDevice(policy: ReprovisionPolicy()), operationId: "op-1")
        fixture.directory.setTwin(Self.changedTwin, deviceId: "dev-1", on: "hub-a")
        fixture.directory.clearLog()
        let second = try await fixture.register(Self.customDevice(policy: ReprovisionPolicy()), operationId: "op-2")
        #expect(second.state.substatus == .deviceDataMigrated)
        #expect(fixture.directory.storedTwin("dev-1", on: "hub-b") == Self.changedTwin)
    }

    @Test func customTwinIsIgnoredWhenMigratingOnTheSameHub() async throws {
        let fixture = RegistrationFixture(webhook: Self.movingWebhook(moveTo: "hub-a.provisio.test"))
        try await fixture.register(Self.customDevice(policy: ReprovisionPolicy()), operationId: "op-1")
        #expect(fixture.directory.storedTwin("dev-1", on: "hub-a") == json(#"{"tags":{"from":"webhook"}}"#))
        fixture.directory.setTwin(Self.changedTwin, deviceId: "dev-1", on: "hub-a")
        fixture.directory.clearLog()
        let second = try await fixture.register(Self.customDevice(policy: ReprovisionPolicy()), operationId: "op-2")
        #expect(second.state.substatus == .initialAssignment)
        #expect(fixture.directory.log.first == .provisionStarted(hub: "hub-a", Self.provisioning(twin: nil, replace: false)))
        #expect(fixture.directory.storedTwin("dev-1", on: "hub-a") == Self.changedTwin)
    }

    @Test func customTwinReplacesTheEnrollmentTwinOnReset() async throws {
        let fixture = RegistrationFixture(webhook: Self.movingWebhook(moveTo: "hub-c.provisio.test"))
        let reset = ReprovisionPolicy(updateHubAssignment: true, migrateDeviceData: false)
        try await fixture.register(Self.customDevice(policy: reset), operationId: "op-1")
        fixture.directory.setTwin(Self.changedTwin, deviceId: "dev-1", on: "hub-a")
        let second = try await fixture.register(Self.customDevice(policy: reset), operationId: "op-2")
        #expect(second.state.substatus == .deviceDataReset)
        #expect(fixture.directory.storedTwin("dev-1", on: "hub-c") == json(#"{"tags":{"from":"webhook"}}"#))
        #expect(fixture.directory.device("dev-1", on: "hub-a") == nil)
    }
}

/// A hub that cannot be reached.
struct HubUnreachable: Error {}
