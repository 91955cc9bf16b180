import Foundation

/// Which audit entries to list.
public struct AuditFilter: Sendable, Equatable {
    /// Only entries appended at or after this time.
    public var since: Date?
    /// Only this action (`certificate.revoked`), or a family when it ends with `.` or `.*` (`certificate.`).
    public var action: String?
    /// Only entries whose target is this (`enrollment/dev-1`) or starts with it followed by `/`.
    public var target: String?
    /// At most this many, the newest ones (still listed oldest first).
    public var limit: Int?

    /// A filter; every criterion is optional.
    public init(since: Date? = nil, action: String? = nil, target: String? = nil, limit: Int? = nil) {
        self.since = since
        self.action = action
        self.target = target
        self.limit = limit
    }

    /// The action family prefix (`certificate.`) when `action` names one, else nil.
    public var actionPrefix: String? {
        guard let action else { return nil }
        if action.hasSuffix(".*") { return String(action.dropLast()) }
        if action.hasSuffix(".") { return action }
        return nil
    }
}
