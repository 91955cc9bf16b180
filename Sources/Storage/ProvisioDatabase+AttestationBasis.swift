import GRDB
import Provisioning

extension ProvisioDatabase {
    /// The admitting enrollment's etag and status and whether the id has an individual enrollment, in one short read
    /// of two primary-key rows (no JSON decoded).
    public func attestationBasis(of device: AttestedDevice) async throws -> AttestationBasis {
        let registrationKey = KeyedRecordTable.key(device.registrationId)
        return try readNow { db in
            let individual = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT etag, provisioning_status FROM individual_enrollment WHERE id_key = ?"),
                arguments: [registrationKey])
            let admitting: Row?
            switch device.source {
            case .individual: admitting = individual
            case .group(let group):
                admitting = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT etag, provisioning_status FROM enrollment_group WHERE id_key = ?"),
                    arguments: [KeyedRecordTable.key(group.enrollmentGroupId)])
            }
            return AttestationBasis(enrollmentETag: admitting?["etag"],
                                    enabled: admitting.map { ($0["provisioning_status"] as String) != "disabled" } ?? false,
                                    hasIndividualEnrollment: individual != nil)
        }
    }
}
