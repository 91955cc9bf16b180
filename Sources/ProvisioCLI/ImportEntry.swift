import Provisioning

/// One entry of an import file: where it is, which registration id it names, and the enrollment it asks for —
/// or why it could not be read.
struct ImportEntry: Sendable {
    /// 1-based line in the file where the entry starts.
    var line: Int
    /// The registration id as written (empty when there is none), for duplicate detection.
    var registrationId: String
    /// The enrollment, not yet validated by the service, or the reason the entry is unreadable.
    var content: Result<IndividualEnrollment, CLIError>
}
