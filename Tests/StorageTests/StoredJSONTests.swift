import Provisioning
@testable import Storage
import Testing

@Suite("Stored JSON")
struct StoredJSONTests {
    @Test("a record that does not decode is corruptRecord, named, and does not quote its content")
    func corruptRecordHidesContent() throws {
        let stored = #"{"registrationId":"dev-1","attestation":{"type":"bogus","symmetricKey":{"primaryKey":"U0VDUkVUS0VZ"}}}"#
        let error = #expect(throws: StorageError.self) {
            try StoredJSON().decode(IndividualEnrollment.self, from: stored, record: "individual enrollment 'dev-1'")
        }
        #expect(error?.code == .corruptRecord)
        #expect(error?.message.contains("dev-1") == true)
        #expect(error?.message.contains("U0VDUkVUS0VZ") == false)
        #expect(error?.message.contains("bogus") == false)
    }

    @Test("a value JSON cannot represent is a bad request, not a crash")
    func unencodable() throws {
        var enrollment = StorageFixtures.individualEnrollment("nan")
        enrollment.initialTwin = .object(["tags": .object(["x": .number(.nan)])])
        let error = #expect(throws: ProvisioningError.self) {
            try StoredJSON().encode(enrollment, record: "individual enrollment 'nan'")
        }
        #expect(error?.status == 400)
    }
}
