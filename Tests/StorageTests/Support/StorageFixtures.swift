import Foundation
import Hub
import Provisioning

/// Records with every optional field set, built in code.
enum StorageFixtures {
    static let certificateInfo = X509CertificateInfo(
        subjectName: "CN=device-1", sha1Thumbprint: "A1B2C3D4E5F60718293A4B5C6D7E8F9012345678",
        sha256Thumbprint: "00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF",
        issuerName: "CN=Provisio Test CA", notBeforeUtc: "2025-01-01T00:00:00Z", notAfterUtc: "2026-01-01T00:00:00Z",
        serialNumber: "0A1B2C", version: 3)

    static let initialTwin: JSONValue = .object([
        "tags": .object(["site": .string("Zürich"), "floor": .number(3), "labels": .array([.string("a"), .null, .bool(true)])]),
        "properties": .object(["desired": .object([
            "telemetry": .object(["interval": .number(2.5), "enabled": .bool(false), "targets": .array([.object(["url": .string("https://example.test/x")])])]),
        ])]),
    ])

    static func fullAttestation() -> AttestationMechanism {
        AttestationMechanism(
            type: .x509,
            symmetricKey: SymmetricKeyAttestation(primaryKey: "cHJpbWFyeS1rZXktMDEyMzQ1Njc4OWFiY2RlZg==",
                                                  secondaryKey: "c2Vjb25kYXJ5LWtleS0wMTIzNDU2Nzg5YWJjZA=="),
            x509: X509Attestation(
                clientCertificates: X509Certificates(
                    primary: X509CertificateWithInfo(certificate: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", info: certificateInfo),
                    secondary: X509CertificateWithInfo(certificate: "MIIBsecondary", info: certificateInfo)),
                signingCertificates: X509Certificates(primary: X509CertificateWithInfo(certificate: "MIIBsigning")),
                caReferences: X509CAReferences(primary: "root-ca", secondary: "backup-ca")),
            tpm: TPMAttestation(endorsementKey: "AToAAQALAAMAsgAgg3GXZ0SEs", storageRootKey: "AToAAQALAAMAsgAgSRK"))
    }

    static func registrationState(_ registrationId: String, groupId: String? = nil) -> DeviceRegistrationState {
        var state = DeviceRegistrationState(registrationId: registrationId, status: .assigned)
        state.createdDateTimeUtc = "2025-03-01T10:00:00Z"
        state.assignedHub = "hub-1.provisio.local"
        state.deviceId = registrationId
        state.substatus = .initialAssignment
        state.errorCode = 400_209
        state.errorMessage = "previous failure"
        state.lastUpdatedDateTimeUtc = "2025-03-01T10:00:01Z"
        state.etag = "reg-etag-1"
        state.payload = .object(["answer": .number(42), "nested": .object(["list": .array([.number(1), .string("two")])])])
        state.symmetricKey = SymmetricKeyRegistrationResult(enrollmentGroupId: groupId)
        state.x509 = X509RegistrationResult(certificateInfo: certificateInfo, enrollmentGroupId: groupId, signingCertificateInfo: certificateInfo)
        return state
    }

    static func individualEnrollment(_ registrationId: String, etag: String? = "etag-1") -> IndividualEnrollment {
        var enrollment = IndividualEnrollment(registrationId: registrationId, attestation: fullAttestation())
        enrollment.deviceId = "Device-\(registrationId)"
        enrollment.registrationState = registrationState(registrationId)
        enrollment.capabilities = DeviceCapabilities(iotEdge: true)
        enrollment.iotHubHostName = "hub-1.provisio.local"
        enrollment.initialTwin = initialTwin
        enrollment.etag = etag
        enrollment.provisioningStatus = .enabled
        enrollment.reprovisionPolicy = ReprovisionPolicy(updateHubAssignment: false, migrateDeviceData: true)
        enrollment.createdDateTimeUtc = "2025-02-01T00:00:00Z"
        enrollment.lastUpdatedDateTimeUtc = "2025-02-02T00:00:00Z"
        enrollment.allocationPolicy = .custom
        enrollment.iotHubs = ["hub-1.provisio.local", "hub-2.provisio.local"]
        enrollment.customAllocationDefinition = CustomAllocationDefinition(webhookUrl: "https://alloc.example.test/api?code=1", apiVersion: "2021-10-01")
        return enrollment
    }

    /// A small symmetric-key enrollment (bulk and paging tests).
    static func symmetricKeyEnrollment(_ registrationId: String) -> IndividualEnrollment {
        var enrollment = IndividualEnrollment(
            registrationId: registrationId,
            attestation: AttestationMechanism(type: .symmetricKey, symmetricKey: SymmetricKeyAttestation(primaryKey: "a2V5", secondaryKey: "a2V5Mg==")))
        enrollment.etag = "e-\(registrationId)"
        return enrollment
    }

    static func enrollmentGroup(_ id: String, kind: AttestationMechanism.Kind = .x509, status: ProvisioningStatus? = .enabled) -> EnrollmentGroup {
        var attestation = fullAttestation()
        attestation.type = kind
        var group = EnrollmentGroup(enrollmentGroupId: id, attestation: attestation)
        group.capabilities = DeviceCapabilities(iotEdge: false)
        group.iotHubHostName = "hub-2.provisio.local"
        group.initialTwin = initialTwin
        group.etag = "group-etag-1"
        group.provisioningStatus = status
        group.reprovisionPolicy = ReprovisionPolicy(updateHubAssignment: true, migrateDeviceData: false)
        group.createdDateTimeUtc = "2025-02-01T00:00:00Z"
        group.lastUpdatedDateTimeUtc = "2025-02-03T00:00:00Z"
        group.allocationPolicy = .custom
        group.iotHubs = ["hub-2.provisio.local"]
        group.customAllocationDefinition = CustomAllocationDefinition(webhookUrl: "http://127.0.0.1:9/alloc", apiVersion: "2019-03-31")
        return group
    }

    static func caCertificate(_ name: String) -> CACertificate {
        CACertificate(name: name, certificatePEM: "-----BEGIN CERTIFICATE-----\nMIIBroot\n-----END CERTIFICATE-----\n",
                      isVerified: false, verificationCode: "3D0A1B2C", etag: "ca-etag-1",
                      createdDateTimeUtc: "2025-01-01T00:00:00Z", lastUpdatedDateTimeUtc: "2025-01-02T00:00:00Z")
    }

    static func registration(_ registrationId: String, operationId: String, groupId: String?) -> RegistrationRecord {
        RegistrationRecord(state: registrationState(registrationId, groupId: groupId), operationId: operationId,
                           hubName: "hub-1", enrollmentGroupId: groupId, previousHubNames: ["hub-0", "hub-2"])
    }

    static func device(_ deviceId: String, etag: String = "dev-etag-1") -> DeviceIdentity {
        var identity = DeviceIdentity(
            deviceId: deviceId, generationId: "638000000000000001", etag: etag, status: "disabled",
            authentication: AuthenticationMechanism(
                type: "sas", symmetricKey: SymmetricKeyAttestation(primaryKey: "ZGV2aWNlLWtleQ==", secondaryKey: "ZGV2aWNlLWtleTI="),
                x509Thumbprint: X509Thumbprint(primaryThumbprint: "AA", secondaryThumbprint: "BB")),
            capabilities: DeviceCapabilities(iotEdge: true), now: "2025-04-01T00:00:00Z")
        identity.statusReason = "maintenance"
        identity.cloudToDeviceMessageCount = 2
        return identity
    }

    static func twin(etag: String = "twin-etag-1") -> DeviceTwin {
        var twin = DeviceTwin(etag: etag)
        twin.apply(initialTwin: initialTwin, replace: true, now: Date(timeIntervalSince1970: 1_800_000_000))
        twin.reported = ["firmware": .string("1.2.3"), "battery": .object(["level": .number(0.75)])]
        twin.reportedVersion = 4
        return twin
    }
}
