import Provisioning
import Storage
import Testing

@Suite("Registration records")
struct RegistrationStorageTests {
    @Test("round-trips every field and is found by registration id and by operation id")
    func roundTripAndLookups() async throws {
        try await withTemporaryDatabase { database, _ in
            let record = StorageFixtures.registration("Device-7", operationId: "4.abc.Op-1", groupId: "Group-A")
            try await database.saveRegistration(record)

            #expect(try await database.registration(registrationId: "device-7") == record)
            #expect(try await database.registration(operationId: "4.abc.Op-1") == record)
            #expect(try await database.registration(operationId: "4.abc.op-1") == nil)
            #expect(try await database.registration(operationId: "unknown") == nil)
        }
    }

    @Test("a new operation replaces the old operation id")
    func replaceOperation() async throws {
        try await withTemporaryDatabase { database, _ in
            try await database.saveRegistration(StorageFixtures.registration("dev", operationId: "op-1", groupId: nil))
            let second = StorageFixtures.registration("DEV", operationId: "op-2", groupId: nil)
            try await database.saveRegistration(second)

            #expect(try await database.registration(operationId: "op-1") == nil)
            #expect(try await database.registration(operationId: "op-2") == second)
            #expect(try await database.registration(registrationId: "dev") == second)
        }
    }

    @Test("an operation id held by another device is a conflict")
    func duplicateOperationId() async throws {
        try await withTemporaryDatabase { database, _ in
            try await database.saveRegistration(StorageFixtures.registration("one", operationId: "op-1", groupId: nil))
            let error = await #expect(throws: ProvisioningError.self) {
                try await database.saveRegistration(StorageFixtures.registration("two", operationId: "op-1", groupId: nil))
            }
            #expect(error?.status == 409)
            #expect(try await database.registration(registrationId: "two") == nil)
        }
    }

    @Test("lists the registrations of a group case-insensitively")
    func byGroup() async throws {
        try await withTemporaryDatabase { database, _ in
            try await database.saveRegistration(StorageFixtures.registration("b-dev", operationId: "op-b", groupId: "Group-A"))
            try await database.saveRegistration(StorageFixtures.registration("a-dev", operationId: "op-a", groupId: "group-a"))
            try await database.saveRegistration(StorageFixtures.registration("c-dev", operationId: "op-c", groupId: "group-b"))
            try await database.saveRegistration(StorageFixtures.registration("d-dev", operationId: "op-d", groupId: nil))

            let members = try await database.registrations(enrollmentGroupId: "GROUP-A")
            #expect(members.map(\.state.registrationId) == ["a-dev", "b-dev"])
            #expect(members.map(\.enrollmentGroupId) == ["group-a", "Group-A"])

            // Moving a device to an individual enrollment takes it out of the group.
            try await database.saveRegistration(StorageFixtures.registration("b-dev", operationId: "op-b2", groupId: nil))
            #expect(try await database.registrations(enrollmentGroupId: "group-a").map(\.state.registrationId) == ["a-dev"])
        }
    }

    @Test("delete removes the record; a missing one is notFound")
    func deleteSemantics() async throws {
        try await withTemporaryDatabase { database, _ in
            try await database.saveRegistration(StorageFixtures.registration("dev", operationId: "op-1", groupId: nil))
            try await database.deleteRegistration(registrationId: "Dev", expectedETag: nil)
            #expect(try await database.registration(operationId: "op-1") == nil)
            let error = await #expect(throws: ProvisioningError.self) {
                try await database.deleteRegistration(registrationId: "dev", expectedETag: nil)
            }
            #expect(error?.status == 404)
        }
    }
}
