import Foundation
import Hub
import Logging
import ServiceLifecycle

/// Ends sessions whose enrollment or group changed: every `interval` it reads the enrollment journal (written by
/// triggers, so also for the CLI and other processes) and closes the open DPS sessions an enrollment or group
/// attested when it was disabled, deleted or re-keyed, and — for a disablement — the hub sessions of the devices
/// registered through it on every shard. The CONNECT and register checks keep them out afterwards.
public struct EnrollmentStatusMonitor: Service {
    let status: any DeviceEnrollmentStatus
    let connections: HubConnectionDirectory
    let interval: Duration
    let logger: Logger

    /// Creates the monitor.
    public init(status: any DeviceEnrollmentStatus, connections: HubConnectionDirectory,
                interval: Duration = .milliseconds(200), logger: Logger) {
        self.status = status
        self.connections = connections
        self.interval = interval
        self.logger = logger
    }

    /// Polls until graceful shutdown; a failed pass is logged and retried on the next tick.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var observed: Int64?
            while !Task.isCancelled {
                do {
                    observed = try await pass(after: observed)
                } catch {
                    logger.error("enrollment status check failed", metadata: ["hub.error": "\(error)"])
                }
                do {
                    try await Task.sleep(for: interval)
                } catch {
                    return
                }
            }
        }
    }

    /// One pass: the first only notes where the journal stands; later ones disconnect the newly refused devices.
    func pass(after observed: Int64?) async throws -> Int64 {
        guard let observed else { return try await status.enrollmentDisablementSequence() }
        let disablements = try await status.disablements(after: observed)
        for enrollment in Set(disablements.enrollments) {
            let closed = connections.sessions.close(.enrollmentDisabled(enrollment))
            if closed > 0 {
                logger.notice("closed DPS sessions of a disabled, deleted or re-keyed enrollment",
                              metadata: ["dps.enrollment": "\(enrollment)", "dps.sessions": "\(closed)"])
            }
        }
        for deviceId in Set(disablements.deviceIds) {
            logger.notice("disconnecting device of a disabled enrollment", metadata: ["hub.device_id": "\(deviceId)"])
            await connections.disconnectEverywhere(deviceId: deviceId)
        }
        return disablements.sequence
    }
}
