import Foundation
import Provisioning
import Synchronization

/// A `HubDirectory` that keeps devices and twins in memory and logs every call in order, so tests can assert
/// what DPS did on which hub and when (the repository wrapper logs saves into the same log).
final class RecordingHubDirectory: HubDirectory {
    /// One logged event.
    enum Call: Equatable, Sendable {
        case provisionStarted(hub: String, DeviceProvisioning)
        case provisioned(hub: String, deviceId: String)
        case deprovisioned(hub: String, deviceId: String)
        case twinRead(hub: String, deviceId: String)
        /// `deviceOnHub`: whether the record's device existed on the record's hub when the record was saved.
        case registrationSaved(registrationId: String, hub: String?, deviceOnHub: Bool)
    }

    private struct State {
        var hubs: [HubDescriptor]
        var devices: [String: [String: DeviceProvisioning]] = [:]
        var twins: [String: [String: JSONValue]] = [:]
        var log: [Call] = []
        var provisionFailure: (any Error)?
        var held: Set<String> = []
        var waiting: [String: CheckedContinuation<Void, Never>] = [:]
    }

    private let state: Mutex<State>

    init(hubs: [HubDescriptor]) { state = Mutex(State(hubs: hubs)) }

    var hubs: [HubDescriptor] { state.withLock { $0.hubs } }

    func provision(_ device: DeviceProvisioning, on hub: HubDescriptor) async throws {
        let failure = state.withLock { state in
            state.log.append(.provisionStarted(hub: hub.name, device))
            return state.provisionFailure
        }
        if let failure { throw failure }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let proceed = state.withLock { state in
                guard state.held.contains(device.deviceId) else { return true }
                state.waiting[device.deviceId] = continuation
                return false
            }
            if proceed { continuation.resume() }
        }
        // Suspends mid-call, so a caller that does not serialise registrations would interleave here.
        for _ in 0..<10 { await Task.yield() }
        state.withLock { state in
            state.devices[hub.name, default: [:]][device.deviceId] = device
            let existing = state.twins[hub.name]?[device.deviceId]
            let twin = device.replaceTwin ? device.twin : Self.merge(existing, device.twin)
            state.twins[hub.name, default: [:]][device.deviceId] = twin
            state.log.append(.provisioned(hub: hub.name, deviceId: device.deviceId))
        }
    }

    func deprovision(deviceId: String, from hub: HubDescriptor) async throws {
        state.withLock { state in
            state.devices[hub.name]?[deviceId] = nil
            state.twins[hub.name]?[deviceId] = nil
            state.log.append(.deprovisioned(hub: hub.name, deviceId: deviceId))
        }
    }

    func twin(deviceId: String, on hub: HubDescriptor) async throws -> JSONValue? {
        state.withLock { state in
            state.log.append(.twinRead(hub: hub.name, deviceId: deviceId))
            return state.twins[hub.name]?[deviceId]
        }
    }

    /// Replaces the linked hubs (a hub's weight changed, a hub was linked or unlinked).
    func setHubs(_ hubs: [HubDescriptor]) { state.withLock { $0.hubs = hubs } }

    /// Makes every later `provision` throw `error` (a hub that cannot be reached).
    func failProvisioning(with error: any Error) { state.withLock { $0.provisionFailure = error } }

    /// Makes `provision` of `deviceId` wait inside the call until `release(_:)`.
    func hold(_ deviceId: String) { state.withLock { _ = $0.held.insert(deviceId) } }

    /// Lets a held `provision` of `deviceId` finish.
    func release(_ deviceId: String) {
        let waiter = state.withLock { state in
            state.held.remove(deviceId)
            return state.waiting.removeValue(forKey: deviceId)
        }
        waiter?.resume()
    }

    /// What the hub holds for the device, if it exists there.
    func device(_ deviceId: String, on hubName: String) -> DeviceProvisioning? {
        state.withLock { $0.devices[hubName]?[deviceId] }
    }

    /// The device's twin on the hub.
    func storedTwin(_ deviceId: String, on hubName: String) -> JSONValue? {
        state.withLock { $0.twins[hubName]?[deviceId] }
    }

    /// Changes the device's twin on the hub, as the device or a back end would after provisioning.
    func setTwin(_ twin: JSONValue, deviceId: String, on hubName: String) {
        state.withLock { $0.twins[hubName, default: [:]][deviceId] = twin }
    }

    /// Every call so far, in order.
    var log: [Call] { state.withLock { $0.log } }

    /// Forgets the calls so far (devices and twins stay).
    func clearLog() { state.withLock { $0.log = [] } }

    /// Appends a save of `record`, noting whether its device is on its hub at this moment.
    func recordSave(_ record: RegistrationRecord) {
        state.withLock { state in
            let onHub = record.hubName.flatMap { hub in record.state.deviceId.flatMap { state.devices[hub]?[$0] } } != nil
            state.log.append(.registrationSaved(registrationId: record.state.registrationId, hub: record.hubName, deviceOnHub: onHub))
        }
    }

    private static func merge(_ base: JSONValue?, _ patch: JSONValue?) -> JSONValue? {
        guard let patch else { return base }
        guard case .object(var members)? = base, case .object(let changes) = patch else { return patch }
        for (key, value) in changes { members[key] = merge(members[key], value) }
        return .object(members)
    }
}
