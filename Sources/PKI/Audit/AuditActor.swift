import Foundation

/// Who is acting, carried as a task-local value so the layer that writes the audit entry (often storage, inside
/// the action's own transaction) knows the caller without every API growing a parameter.
///
/// The edge sets it: the CLI for a command (`cli:<os user>`), the service API for a request
/// (`service-api:<policy name>`), a device registration (`device:<registration id>`). Anything else is `system`.
/// Task-local values do not cross into GRDB's dispatch queues: read `current` before entering a database closure.
public enum AuditActor {
    /// The actor of the current task.
    @TaskLocal public static var current: String = system

    /// The service acting on its own (first start, scheduled work).
    public static let system = "system"

    /// A command-line user.
    public static func commandLine(user: String) -> String { "cli:\(user)" }

    /// A service API client, named by the shared access policy its token was signed with.
    public static func serviceAPI(policy: String) -> String { "service-api:\(policy)" }

    /// A device, named by its registration id.
    public static func device(registrationId: String) -> String { "device:\(registrationId)" }
}
