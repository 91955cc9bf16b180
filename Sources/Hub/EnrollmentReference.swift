/// A DPS individual enrollment or enrollment group, named by its lookup key (ids match case-insensitively).
public struct EnrollmentReference: Sendable, Hashable, CustomStringConvertible {
    /// Which kind of enrollment.
    public enum Kind: String, Sendable, Hashable {
        /// An individual enrollment (keyed by registration id).
        case individual
        /// An enrollment group (keyed by group id).
        case group
    }

    /// Individual enrollment or group.
    public let kind: Kind
    /// The id, lowercased so that every spelling of one enrollment compares equal.
    public let id: String

    /// Creates a reference; `id` is lowercased.
    public init(kind: Kind, id: String) {
        self.kind = kind
        self.id = id.lowercased()
    }

    /// `group 'x'` / `individual 'y'`, for logs.
    public var description: String { "\(kind.rawValue) '\(id)'" }
}

/// What the enrollment journal recorded after a sequence number: the enrollments and groups that became disabled,
/// were deleted or re-keyed, and the devices registered through the disabled ones.
public struct EnrollmentDisablements: Sendable, Equatable {
    /// The journal's latest sequence number covered.
    public var sequence: Int64
    /// The enrollments and groups that became disabled, were deleted or re-keyed (their DPS sessions end).
    public var enrollments: [EnrollmentReference]
    /// The device ids registered through the disabled ones (their hub sessions end).
    public var deviceIds: [String]

    /// Creates a journal excerpt.
    public init(sequence: Int64, enrollments: [EnrollmentReference], deviceIds: [String]) {
        self.sequence = sequence
        self.enrollments = enrollments
        self.deviceIds = deviceIds
    }
}
