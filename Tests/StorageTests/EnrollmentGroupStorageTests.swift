import Provisioning
import Storage
import Testing

@Suite("Enrollment groups")
struct EnrollmentGroupStorageTests {
    @Test("round-trips every field")
    func roundTrip() async throws {
        try await withTemporaryDatabase { database, _ in
            let group = StorageFixtures.enrollmentGroup("Factory-Line-A")
            try await database.saveEnrollmentGroup(group, expectedETag: nil)
            #expect(try await database.enrollmentGroup(id: "factory-line-a") == group)
            #expect(try await database.enrollmentGroup(id: "missing") == nil)
        }
    }

    @Test("enabled groups are filtered by status and attestation kind; no status counts as enabled")
    func enabledGroups() async throws {
        try await withTemporaryDatabase { database, _ in
            try await database.saveEnrollmentGroup(StorageFixtures.enrollmentGroup("sym-on", kind: .symmetricKey, status: .enabled), expectedETag: nil)
            try await database.saveEnrollmentGroup(StorageFixtures.enrollmentGroup("sym-off", kind: .symmetricKey, status: .disabled), expectedETag: nil)
            try await database.saveEnrollmentGroup(StorageFixtures.enrollmentGroup("Sym-default", kind: .symmetricKey, status: nil), expectedETag: nil)
            try await database.saveEnrollmentGroup(StorageFixtures.enrollmentGroup("x509-on", kind: .x509, status: .enabled), expectedETag: nil)
            try await database.saveEnrollmentGroup(StorageFixtures.enrollmentGroup("x509-off", kind: .x509, status: .disabled), expectedETag: nil)

            #expect(try await database.enabledEnrollmentGroups(attestation: .symmetricKey).map(\.enrollmentGroupId) == ["Sym-default", "sym-on"])
            #expect(try await database.enabledEnrollmentGroups(attestation: .x509).map(\.enrollmentGroupId) == ["x509-on"])
            #expect(try await database.enabledEnrollmentGroups(attestation: .tpm).isEmpty)

            // A replacement updates the indexed columns too.
            try await database.saveEnrollmentGroup(StorageFixtures.enrollmentGroup("sym-on", kind: .x509, status: .enabled), expectedETag: nil)
            try await database.saveEnrollmentGroup(StorageFixtures.enrollmentGroup("x509-off", kind: .x509, status: .enabled), expectedETag: nil)
            #expect(try await database.enabledEnrollmentGroups(attestation: .symmetricKey).map(\.enrollmentGroupId) == ["Sym-default"])
            #expect(try await database.enabledEnrollmentGroups(attestation: .x509).map(\.enrollmentGroupId) == ["sym-on", "x509-off", "x509-on"])
        }
    }

    @Test("the decoded-group cache sees changes another process makes to the same database file")
    func cacheFollowsOtherWriters() async throws {
        try await withTemporaryDatabase { database, path in
            try await database.saveEnrollmentGroup(StorageFixtures.enrollmentGroup("g1", kind: .symmetricKey), expectedETag: nil)
            #expect(try await database.enabledEnrollmentGroups(attestation: .symmetricKey).map(\.enrollmentGroupId) == ["g1"])

            // A second handle stands for the CLI writing while the server runs.
            let other = try ProvisioDatabase(path: path)
            try await other.saveEnrollmentGroup(StorageFixtures.enrollmentGroup("g2", kind: .symmetricKey), expectedETag: nil)
            #expect(try await database.enabledEnrollmentGroups(attestation: .symmetricKey).map(\.enrollmentGroupId) == ["g1", "g2"])
            try await other.saveEnrollmentGroup(StorageFixtures.enrollmentGroup("g1", kind: .symmetricKey, status: .disabled), expectedETag: nil)
            #expect(try await database.enabledEnrollmentGroups(attestation: .symmetricKey).map(\.enrollmentGroupId) == ["g2"])
            try await other.deleteEnrollmentGroup(id: "g2", expectedETag: nil)
            #expect(try await database.enabledEnrollmentGroups(attestation: .symmetricKey).isEmpty)
        }
    }

    @Test("an enrollment lookup returns the individual enrollment, else the enabled groups of the kind")
    func enrollmentLookup() async throws {
        try await withTemporaryDatabase { database, _ in
            try await database.saveEnrollmentGroup(StorageFixtures.enrollmentGroup("sym", kind: .symmetricKey), expectedETag: nil)
            try await database.saveEnrollmentGroup(StorageFixtures.enrollmentGroup("x", kind: .x509), expectedETag: nil)
            try await database.saveIndividualEnrollment(StorageFixtures.individualEnrollment("Device-1"), expectedETag: nil)

            let individual = try await database.enrollmentLookup(registrationId: "device-1", groups: .symmetricKey)
            #expect(individual.individual?.registrationId == "Device-1")
            #expect(individual.groups.isEmpty)
            let grouped = try await database.enrollmentLookup(registrationId: "device-2", groups: .symmetricKey)
            #expect(grouped.individual == nil)
            #expect(grouped.groups.map(\.enrollmentGroupId) == ["sym"])
        }
    }

    @Test("hundreds of concurrent per-request lookups, mixed with pool reads and writes, all complete")
    func concurrentLookupsComplete() async throws {
        try await withTemporaryDatabase { database, _ in
            try await database.saveEnrollmentGroup(StorageFixtures.enrollmentGroup("g", kind: .symmetricKey), expectedETag: nil)
            // Far more concurrent requests than connections or cooperative threads: a lookup must never wait for
            // something only a suspended task can release.
            let found = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<400 {
                    group.addTask {
                        switch index % 4 {
                        case 0: return try await database.enrollmentLookup(registrationId: "d\(index)", groups: .symmetricKey).groups.count
                        case 1: return try await database.enabledEnrollmentGroups(attestation: .symmetricKey).count
                        case 2: return try await database.enrollmentGroups(after: nil, limit: 10).count
                        default:
                            try await database.saveIndividualEnrollment(StorageFixtures.individualEnrollment("d\(index)"), expectedETag: nil)
                            return 1
                        }
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(found == 400)
        }
    }

    @Test("pages by lowercased id after an exclusive cursor")
    func paging() async throws {
        try await withTemporaryDatabase { database, _ in
            for id in ["b", "A", "c", "D"] {
                try await database.saveEnrollmentGroup(StorageFixtures.enrollmentGroup(id), expectedETag: nil)
            }
            #expect(try await database.enrollmentGroups(after: nil, limit: 3).map(\.enrollmentGroupId) == ["A", "b", "c"])
            #expect(try await database.enrollmentGroups(after: "C", limit: 3).map(\.enrollmentGroupId) == ["D"])
        }
    }

    @Test("delete removes the group; a missing group is notFound")
    func deleteSemantics() async throws {
        try await withTemporaryDatabase { database, _ in
            try await database.saveEnrollmentGroup(StorageFixtures.enrollmentGroup("g"), expectedETag: nil)
            try await database.deleteEnrollmentGroup(id: "G", expectedETag: nil)
            #expect(try await database.enrollmentGroup(id: "g") == nil)
            let error = await #expect(throws: ProvisioningError.self) {
                try await database.deleteEnrollmentGroup(id: "g", expectedETag: nil)
            }
            #expect(error?.status == 404)
        }
    }
}
