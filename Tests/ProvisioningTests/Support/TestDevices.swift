import Foundation
import Provisioning

/// Linked hubs used across the allocation and registration tests.
enum TestHubs {
    static let a = HubDescriptor(name: "hub-a", hostName: "hub-a.provisio.test")
    static let b = HubDescriptor(name: "hub-b", hostName: "hub-b.provisio.test")
    static let c = HubDescriptor(name: "hub-c", hostName: "hub-c.provisio.test")
    static let all = [a, b, c]
}

/// Attested devices built in code, as the attestors would hand them to allocation.
enum TestDevices {
    static let primaryKey = Data(repeating: 0x11, count: 32).base64EncodedString()
    static let secondaryKey = Data(repeating: 0x22, count: 32).base64EncodedString()

    /// A symmetric-key device admitted by its own enrollment, after `configure` adjusts the enrollment.
    static func individual(_ registrationId: String, _ configure: (inout IndividualEnrollment) -> Void = { _ in }) -> AttestedDevice {
        var enrollment = IndividualEnrollment(registrationId: registrationId, attestation: AttestationMechanism(
            type: .symmetricKey, symmetricKey: SymmetricKeyAttestation(primaryKey: primaryKey, secondaryKey: secondaryKey)))
        enrollment.provisioningStatus = .enabled
        configure(&enrollment)
        return AttestedDevice(registrationId: registrationId, source: .individual(enrollment),
                              hubAuthentication: .symmetricKey(primaryKey: primaryKey, secondaryKey: secondaryKey),
                              symmetricKeyResult: SymmetricKeyRegistrationResult(enrollmentGroupId: nil))
    }

    /// A symmetric-key device admitted by group `groupId`, after `configure` adjusts the group.
    static func member(_ registrationId: String, of groupId: String, _ configure: (inout EnrollmentGroup) -> Void = { _ in }) -> AttestedDevice {
        var group = EnrollmentGroup(enrollmentGroupId: groupId, attestation: AttestationMechanism(
            type: .symmetricKey, symmetricKey: SymmetricKeyAttestation(primaryKey: primaryKey, secondaryKey: secondaryKey)))
        group.provisioningStatus = .enabled
        configure(&group)
        return AttestedDevice(registrationId: registrationId, source: .group(group),
                              hubAuthentication: .symmetricKey(primaryKey: "ZGVyaXZlZC1wcmltYXJ5LWtleQ==", secondaryKey: "ZGVyaXZlZC1zZWNvbmRhcnkta2V5"),
                              symmetricKeyResult: SymmetricKeyRegistrationResult(enrollmentGroupId: groupId))
    }

    /// An allocation request for `device` over the eligible hubs among `linked`.
    static func request(_ device: AttestedDevice, linked: [HubDescriptor] = TestHubs.all, payload: JSONValue? = nil,
                        currentHub: HubDescriptor? = nil) throws -> AllocationRequest {
        AllocationRequest(device: device, candidates: try AllocationCandidates.eligible(settings: device.settings, linkedHubs: linked),
                          linkedHubs: linked, payload: payload, currentHub: currentHub)
    }
}

/// Parses JSON text written in a test.
func json(_ text: String) -> JSONValue {
    try! JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
}
