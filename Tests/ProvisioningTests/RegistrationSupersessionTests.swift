import Foundation
import ProvisioTestSupport
import Provisioning
import Synchronization
import Testing

/// A certificate issued at registration replaces the device's earlier ones only once the registration is assigned,
/// so a registration that fails never costs a device the certificate it has.
@Suite struct RegistrationSupersessionTests {
    /// Issues a fake chain per request and records what it was asked to do.
    final class RecordingIssuer: OperationalCertificateIssuer {
        enum Call: Equatable {
            case issued(serial: UInt8)
            case superseded(byLeaf: [UInt8])
        }

        let calls = Mutex<[Call]>([])

        func issue(_ request: OperationalCertificateRequest) async throws -> [[UInt8]] {
            let serial = calls.withLock { calls in
                let serial = UInt8(calls.count + 1)
                calls.append(.issued(serial: serial))
                return serial
            }
            return [[serial], [0xCA]]
        }

        func supersedePredecessors(ofLeaf leaf: [UInt8], request: OperationalCertificateRequest) async throws {
            calls.withLock { $0.append(.superseded(byLeaf: leaf)) }
        }
    }

    private static func service(_ issuer: RecordingIssuer, hubs: [HubDescriptor] = TestHubs.all) -> RegistrationService {
        let directory = RecordingHubDirectory(hubs: hubs)
        return RegistrationService(repository: InMemoryEnrollmentRepository(), hubDirectory: directory, webhook: RecordingWebhook.unused(),
                                   issuer: issuer)
    }

    @Test func anAssignedRegistrationSupersedesWithTheIssuedLeaf() async throws {
        let issuer = RecordingIssuer()
        let record = try await Self.service(issuer).register(TestDevices.individual("dev-1"), payload: nil, operationId: "op-1", csr: [1, 2, 3])
        #expect(record.state.status == .assigned)
        #expect(record.state.issuedCertificateChain == [Data([1]).base64EncodedString(), Data([0xCA]).base64EncodedString()])
        #expect(issuer.calls.withLock { $0 } == [.issued(serial: 1), .superseded(byLeaf: [1])])
    }

    @Test func aFailedRegistrationLeavesTheEarlierCertificatesAlone() async throws {
        let issuer = RecordingIssuer()
        // Static allocation with two hubs fails the registration (400209) after the certificate was issued.
        let device = TestDevices.individual("dev-1") {
            $0.iotHubs = [TestHubs.a.hostName, TestHubs.b.hostName]
            $0.allocationPolicy = .static
        }
        let record = try await Self.service(issuer).register(device, payload: nil, operationId: "op-1", csr: [1, 2, 3])
        #expect(record.state.status == .failed)
        #expect(issuer.calls.withLock { $0 } == [.issued(serial: 1)])
    }

    @Test func overlappingRegistrationsOfOneDeviceIssueAndSupersedeOneAfterTheOther() async throws {
        let issuer = RecordingIssuer()
        let service = Self.service(issuer)
        async let first = service.register(TestDevices.individual("dev-1"), payload: nil, operationId: "op-1", csr: [1])
        async let second = service.register(TestDevices.individual("dev-1"), payload: nil, operationId: "op-2", csr: [2])
        _ = try await (first, second)
        // Each issuance is followed by its own supersession before the other registration issues.
        let calls = issuer.calls.withLock { $0 }
        #expect(calls.count == 4)
        #expect(calls == [.issued(serial: 1), .superseded(byLeaf: [1]), .issued(serial: 3), .superseded(byLeaf: [3])])
    }
}
