import Foundation
import PKI

/// Runs a registration: allocation, assignment on the chosen hub through the `HubDirectory`, and the durable
/// registration record — in that order, so a device is never assigned in DPS but missing on its hub.
public struct RegistrationService: Sendable {
    let repository: any EnrollmentRepository
    let hubDirectory: any HubDirectory
    let defaultPolicy: AllocationPolicyKind
    let webhook: any CustomAllocationWebhook
    let webhookTimeout: Duration
    let now: @Sendable () -> Date
    let issuer: (any OperationalCertificateIssuer)?
    let locks = KeyedLock()

    /// Creates the service.
    public init(repository: any EnrollmentRepository, hubDirectory: any HubDirectory, defaultPolicy: AllocationPolicyKind = .hashed,
                webhook: any CustomAllocationWebhook, webhookTimeout: Duration = .seconds(10),
                issuer: (any OperationalCertificateIssuer)? = nil, now: @escaping @Sendable () -> Date = Date.init) {
        self.issuer = issuer
        self.repository = repository
        self.hubDirectory = hubDirectory
        self.defaultPolicy = defaultPolicy
        self.webhook = webhook
        self.webhookTimeout = webhookTimeout
        self.now = now
    }

    /// Registers an attested device. The returned record is durable; its state is `assigned` or `failed`.
    /// Only infrastructure failures (storage, hub unreachable) throw.
    public func register(_ device: AttestedDevice, payload: JSONValue?, operationId: String,
                         csr: [UInt8]? = nil) async throws -> RegistrationRecord {
        // Both transports and every attestation end here: an id DPS refuses never reaches a lock, a hub or storage.
        try RegistrationIdentifier.validate(device.registrationId)
        // One registration of a device at a time, issuance included: two overlapping requests with CSRs must not
        // each supersede the other's new certificate.
        return try await locks.withLock(device.registrationId.lowercased()) {
            var device = device
            var issued: (chain: [[UInt8]], request: OperationalCertificateRequest)?
            if let csr {
                // The CSR is checked and the certificate issued before anything is assigned: a bad CSR fails the
                // request (400) without touching the device's current assignment.
                guard let issuer else { throw ProvisioningError.badRequest("certificate issuance is not configured") }
                let request = OperationalCertificateRequest(csr: csr, registrationId: device.registrationId, deviceId: device.deviceId,
                                                            enrollmentGroupId: device.settings.enrollmentGroupId)
                // The device asks for the certificate: its audit entry (`certificate.issued`) names it as the actor.
                let chain = try await AuditActor.$current.withValue(AuditActor.device(registrationId: device.registrationId)) {
                    try await issuer.issue(request)
                }
                issued = (chain, request)
                device.hubAuthentication = .certificateAuthority
            }
            let record = try await registerLocked(device, payload: payload, operationId: operationId,
                                                  issuedChain: issued?.chain.map { Data($0).base64EncodedString() })
            // Only a certificate the device can now fetch from its assigned record replaces the earlier ones; after a
            // failed registration the device keeps using what it has.
            if let issued, let issuer, record.state.status == .assigned {
                try await AuditActor.$current.withValue(AuditActor.device(registrationId: device.registrationId)) {
                    try await issuer.supersedePredecessors(ofLeaf: issued.chain[0], request: issued.request)
                }
            }
            return record
        }
    }

    /// A device's registration state, for the device's status lookup.
    public func registrationState(registrationId: String) async throws -> DeviceRegistrationState {
        guard let record = try await repository.registration(registrationId: registrationId) else {
            throw ProvisioningError.notFound("no registration for \(registrationId)", detail: 5)
        }
        return record.state
    }

    /// The operation's current status, from the durable record (so polls survive a restart).
    public func operationStatus(operationId: String, registrationId: String) async throws -> RegistrationOperationStatus {
        guard let record = try await repository.registration(operationId: operationId),
              record.state.registrationId.caseInsensitiveCompare(registrationId) == .orderedSame
        else { throw ProvisioningError.notFound("no registration operation \(operationId) for \(registrationId)", detail: 5) }
        return RegistrationOperationStatus(operationId: operationId, status: record.state.status, registrationState: record.state)
    }

    /// A device's registration state without the issued chain (status lookups never return it).
    public func registrationStateForLookup(registrationId: String) async throws -> DeviceRegistrationState {
        var state = try await registrationState(registrationId: registrationId)
        state.issuedCertificateChain = nil
        return state
    }

    private func registerLocked(_ device: AttestedDevice, payload: JSONValue?, operationId: String,
                                issuedChain: [String]?) async throws -> RegistrationRecord {
        let settings = device.settings
        let existing = try await repository.registration(registrationId: device.registrationId)
        let linked = hubDirectory.hubs
        // `hubName` stays set while the device has an identity on that hub, also after a failed re-registration,
        // so the next attempt migrates from there instead of leaving a second identity behind.
        let currentHub = existing.flatMap { record in linked.first { $0.name == record.hubName } }
        let timestamp = RegistrationTimestamp.string(now())
        var state = DeviceRegistrationState(registrationId: device.registrationId, status: .assigned)
        state.createdDateTimeUtc = existing?.state.createdDateTimeUtc ?? timestamp
        state.lastUpdatedDateTimeUtc = timestamp
        state.etag = "\"\(UUID().uuidString.lowercased())\""
        state.deviceId = device.deviceId
        state.symmetricKey = device.symmetricKeyResult
        state.x509 = device.x509Result

        let decision: AllocationDecision
        let substatus: RegistrationSubstatus
        do {
            if let currentHub, !settings.reprovisionPolicy.updateHubAssignment {
                // "Never re-provision": keep the hub and the device's data.
                try await hubDirectory.provision(provisioning(device, twin: nil, replace: false, modelId: Self.modelId(in: payload)), on: currentHub)
                decision = AllocationDecision(hub: currentHub, payload: existing?.state.payload)
                substatus = existing?.state.substatus ?? .initialAssignment
            } else {
                let candidates = try AllocationCandidates.eligible(settings: settings, linkedHubs: linked)
                decision = try await policy(settings).allocate(AllocationRequest(
                    device: device, candidates: candidates, linkedHubs: linked, payload: payload, currentHub: currentHub))
                substatus = try await assign(device, settings: settings, decision: decision, from: currentHub,
                                             previous: existing?.previousHubNames ?? [], modelId: Self.modelId(in: payload))
            }
        } catch let error as ProvisioningError where error.status < 500 {
            state.status = .failed
            state.errorCode = error.errorCode
            state.errorMessage = error.message
            state.assignedHub = nil
            let record = RegistrationRecord(state: state, operationId: operationId, hubName: existing?.hubName,
                                            enrollmentGroupId: settings.enrollmentGroupId,
                                            previousHubNames: existing?.previousHubNames ?? [])
            try await repository.saveRegistration(record)
            return record
        }
        state.assignedHub = decision.hub.hostName
        state.substatus = substatus
        // Only an assigned device gets its wrapped hub key.
        state.tpm = device.tpmResult
        state.payload = decision.payload
        state.issuedCertificateChain = issuedChain
        var previous = existing?.previousHubNames ?? []
        if let currentHub, currentHub != decision.hub { previous.append(currentHub.name) }
        let record = RegistrationRecord(state: state, operationId: operationId, hubName: decision.hub.name,
                                        enrollmentGroupId: settings.enrollmentGroupId, previousHubNames: Array(previous.suffix(10)))
        try await repository.saveRegistration(record)
        return record
    }

    /// Sets the device up on the chosen hub per the re-provisioning policy, removes it from the old one, and
    /// says how the assignment came about.
    private func assign(_ device: AttestedDevice, settings: EnrollmentSettings, decision: AllocationDecision,
                        from currentHub: HubDescriptor?, previous: [String], modelId: String?) async throws -> RegistrationSubstatus {
        let initialTwin = decision.initialTwin ?? settings.initialTwin
        guard let currentHub else {
            try await hubDirectory.provision(provisioning(device, twin: initialTwin, replace: true, modelId: modelId), on: decision.hub)
            return .initialAssignment
        }
        let migrate = settings.reprovisionPolicy.migrateDeviceData
        if currentHub == decision.hub {
            if migrate {
                // Azure applies a custom webhook's initialTwin only on initial assignment and on reset, never here.
                try await hubDirectory.provision(provisioning(device, twin: nil, replace: false, modelId: modelId), on: decision.hub)
                return .initialAssignment
            }
            try await hubDirectory.provision(provisioning(device, twin: initialTwin, replace: true, modelId: modelId), on: decision.hub)
            return .deviceDataReset
        }
        let twin = migrate ? try await hubDirectory.twin(deviceId: device.deviceId, on: currentHub) ?? initialTwin : initialTwin
        try await hubDirectory.provision(provisioning(device, twin: twin, replace: true, modelId: modelId), on: decision.hub)
        try await hubDirectory.deprovision(deviceId: device.deviceId, from: currentHub)
        if previous.first == decision.hub.name { return .reprovisionedToInitialAssignment }
        return migrate ? .deviceDataMigrated : .deviceDataReset
    }

    private func provisioning(_ device: AttestedDevice, twin: JSONValue?, replace: Bool, modelId: String?) -> DeviceProvisioning {
        DeviceProvisioning(deviceId: device.deviceId, authentication: device.hubAuthentication, twin: twin,
                           replaceTwin: replace, capabilities: device.settings.capabilities, modelId: modelId)
    }

    /// The Plug and Play model id of a registration payload (`{"modelId": "dtmi:…"}`), if it names one.
    static func modelId(in payload: JSONValue?) -> String? {
        guard case .string(let modelId)? = payload?["modelId"], !modelId.isEmpty, modelId.utf8.count <= 2048 else { return nil }
        return modelId
    }

    private func policy(_ settings: EnrollmentSettings) -> any AllocationPolicy {
        switch settings.allocationPolicy ?? defaultPolicy {
        case .hashed: HashedAllocation()
        case .geoLatency: GeoLatencyAllocation()
        case .static: StaticAllocation()
        case .custom: CustomAllocation(webhook: webhook, timeout: webhookTimeout)
        }
    }
}
