import Provisioning

/// The settings individual enrollments and groups both carry, so the CLI sets and changes them in one place.
protocol EnrollmentSettingsHolder {
    var provisioningStatus: ProvisioningStatus? { get set }
    var allocationPolicy: AllocationPolicyKind? { get set }
    var iotHubs: [String]? { get set }
    var customAllocationDefinition: CustomAllocationDefinition? { get set }
    var initialTwin: JSONValue? { get set }
    var capabilities: DeviceCapabilities? { get set }
    var reprovisionPolicy: ReprovisionPolicy? { get set }
}

extension IndividualEnrollment: EnrollmentSettingsHolder {}
extension EnrollmentGroup: EnrollmentSettingsHolder {}
