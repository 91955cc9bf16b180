import Foundation

/// Where a CA generation stands at a given time.
public enum CAGenerationStatus: Sendable, Equatable {
    /// Issues new certificates (and its certificates verify).
    case active
    /// Created, trusted, but issuance switches to it only at `activatesAt`.
    case pending(activatesAt: Date)
    /// Superseded by a later generation; certificates it issued keep verifying until it is retired.
    case verifyingOnly
    /// Retired: its certificates no longer verify and its root left the trust bundle (unless shared).
    case retired(at: Date)

    /// `active`, `pending (activates at …)`, `verifying-only` or `retired (…)`, as `provisio ca list` prints it.
    public var text: String {
        switch self {
        case .active: "active"
        case .pending(let date): "pending (activates at \(date.formatted(.iso8601)))"
        case .verifyingOnly: "verifying-only"
        case .retired(let date): "retired (\(date.formatted(.iso8601)))"
        }
    }
}
