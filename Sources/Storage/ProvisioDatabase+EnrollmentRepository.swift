import Provisioning

/// The provisioning records live in the same SQLite file as the rest of the service's state; the requirements
/// are met in `ProvisioDatabase+IndividualEnrollments`, `+EnrollmentGroups`, `+CACertificates` and `+Registrations`.
extension ProvisioDatabase: EnrollmentRepository {}
