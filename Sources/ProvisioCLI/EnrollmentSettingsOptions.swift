import ArgumentParser
import Provisioning

/// The options individual enrollments and groups share: status, allocation, twin, capabilities, re-provisioning.
struct EnrollmentSettingsOptions: ParsableArguments {
    @Flag(help: "Create it disabled: devices cannot register until it is enabled.")
    var disabled = false

    @Option(name: .customLong("allocation-policy"), help: "hashed, geoLatency, static or custom (default: the server's).")
    var allocationPolicy: String?

    @Option(name: .customLong("iot-hub"), help: "A linked hub host name the devices may be assigned to (repeatable).")
    var iotHubs: [String] = []

    @Option(name: .customLong("webhook-url"), help: "Webhook of the custom allocation policy (implies --allocation-policy custom).")
    var webhookURL: String?

    @Option(name: .customLong("initial-twin"), help: "Initial twin as JSON, e.g. '{\"tags\":{\"line\":\"A\"}}'.")
    var initialTwin: String?

    @Flag(name: .customLong("iot-edge"), help: "The devices are IoT Edge devices.")
    var iotEdge = false

    @Option(help: "On re-registration: migrate (default), reset or never.")
    var reprovision: String?

    @Option(name: .customLong("config"), help: "The server configuration, for the hubs --iot-hub may name (default: the running server's connection.json, else the built-in configuration).")
    var configurationFile: String?

    /// Whether any setting was given (an `update` without one changes nothing and says so).
    var isEmpty: Bool {
        !disabled && allocationPolicy == nil && iotHubs.isEmpty && webhookURL == nil && initialTwin == nil && !iotEdge && reprovision == nil
    }

    /// Sets only the members whose options were given (what `update` does); `--disabled` disables.
    func applyChanges(to enrollment: inout some EnrollmentSettingsHolder) throws {
        let values = try values()
        if disabled { enrollment.provisioningStatus = .disabled }
        if let policy = values.allocationPolicy {
            enrollment.allocationPolicy = policy
            if policy != .custom { enrollment.customAllocationDefinition = nil }
        }
        if let hubs = values.iotHubs { enrollment.iotHubs = hubs }
        if let webhook = values.customAllocationDefinition { enrollment.customAllocationDefinition = webhook }
        if let twin = values.initialTwin { enrollment.initialTwin = twin }
        if let capabilities = values.capabilities { enrollment.capabilities = capabilities }
        if let reprovision = values.reprovisionPolicy { enrollment.reprovisionPolicy = reprovision }
    }

    /// The typed settings; throws a `CLIError` for text that cannot be read.
    func values() throws -> EnrollmentSettingsValues {
        var policy = try allocationPolicy.map(EnrollmentFieldText.allocationPolicy)
        if webhookURL != nil {
            guard policy == nil || policy == .custom else { throw CLIError("--webhook-url only applies to --allocation-policy custom") }
            policy = .custom
        }
        return EnrollmentSettingsValues(
            provisioningStatus: disabled ? .disabled : .enabled,
            allocationPolicy: policy,
            iotHubs: iotHubs.isEmpty ? nil : iotHubs,
            customAllocationDefinition: webhookURL.map { CustomAllocationDefinition(webhookUrl: $0) },
            initialTwin: try initialTwin.map(EnrollmentFieldText.initialTwin),
            capabilities: iotEdge ? DeviceCapabilities(iotEdge: true) : nil,
            reprovisionPolicy: try reprovision.map(EnrollmentFieldText.reprovisionPolicy))
    }
}

/// The shared settings, typed, ready to be put on an individual enrollment or a group.
struct EnrollmentSettingsValues {
    var provisioningStatus: ProvisioningStatus
    var allocationPolicy: AllocationPolicyKind?
    var iotHubs: [String]?
    var customAllocationDefinition: CustomAllocationDefinition?
    var initialTwin: JSONValue?
    var capabilities: DeviceCapabilities?
    var reprovisionPolicy: ReprovisionPolicy?

    /// Sets every member on an individual enrollment or a group (what `create` does).
    func apply(to enrollment: inout some EnrollmentSettingsHolder) {
        enrollment.provisioningStatus = provisioningStatus
        enrollment.allocationPolicy = allocationPolicy
        enrollment.iotHubs = iotHubs
        enrollment.customAllocationDefinition = customAllocationDefinition
        enrollment.initialTwin = initialTwin
        enrollment.capabilities = capabilities
        enrollment.reprovisionPolicy = reprovisionPolicy
    }
}
