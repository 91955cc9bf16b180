import Hub
import Logging
import Synchronization
import Testing
@testable import Gateway

/// One monitor pass over the disablement journal: the DPS sessions the disabled enrollment attested and the hub
/// sessions of the devices registered through it close; everything else stays open.
@Suite struct EnrollmentStatusMonitorTests {
    /// A journal holding one disabled group with one registered device.
    struct Journal: DeviceEnrollmentStatus {
        func disabledEnrollment(deviceId: String, shard: String) async throws -> String? { nil }
        func enrollmentDisablementSequence() async throws -> Int64 { 7 }
        func devicesOfDisabledEnrollments(after sequence: Int64) async throws -> (sequence: Int64, deviceIds: [String]) {
            (8, ["member-1"])
        }
        func disablements(after sequence: Int64) async throws -> EnrollmentDisablements {
            EnrollmentDisablements(sequence: 8, enrollments: [EnrollmentReference(kind: .group, id: "fleet")], deviceIds: ["member-1"])
        }
    }

    final class Closed: Sendable {
        private let names = Mutex<Set<String>>([])
        func insert(_ name: String) { _ = names.withLock { $0.insert(name) } }
        var all: Set<String> { names.withLock { $0 } }
    }

    @Test func aPassClosesTheEnrollmentsDPSSessionsAndItsDevicesHubSessions() async throws {
        let connections = HubConnectionDirectory()
        let closed = Closed()
        let sessions: [(String, SessionBinding)] = [
            ("dps member", SessionBinding(endpoint: .dps, identity: "member-2", enrollment: EnrollmentReference(kind: .group, id: "Fleet"))),
            ("dps other", SessionBinding(endpoint: .dps, identity: "solo", enrollment: EnrollmentReference(kind: .individual, id: "solo"))),
            ("hub member", SessionBinding(endpoint: .hub(shard: "hub-2"), identity: "member-1")),
            ("hub other", SessionBinding(endpoint: .hub(shard: "hub-1"), identity: "solo")),
        ]
        for (name, binding) in sessions {
            _ = connections.sessions.register(binding) { closed.insert(name) }
        }
        let monitor = EnrollmentStatusMonitor(status: Journal(), connections: connections, logger: Logger(label: "test"))
        #expect(try await monitor.pass(after: nil) == 7, "the first pass only notes where the journal stands")
        #expect(closed.all.isEmpty)
        #expect(try await monitor.pass(after: 7) == 8)
        #expect(closed.all == ["dps member", "hub member"])
        #expect(Set(connections.sessions.bindings.map(\.identity)) == ["solo"])
    }
}
