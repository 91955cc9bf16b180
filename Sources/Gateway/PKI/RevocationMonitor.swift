import Foundation
import Logging
import PKI
import ServiceLifecycle

/// Keeps the revocation authority in step with the database: every `interval` it picks up revocations made by
/// any process (the CLI writes the database directly), which disconnects affected devices and reissues CRLs,
/// and reissues CRLs nearing nextUpdate. The interval bounds how long a CLI revocation takes to act.
public struct RevocationMonitor: Service {
    let authority: RevocationAuthority
    let interval: Duration
    let logger: Logger
    let now: @Sendable () -> Date

    /// Creates the monitor.
    public init(authority: RevocationAuthority, interval: Duration = .milliseconds(200), logger: Logger,
                now: @escaping @Sendable () -> Date = Date.init) {
        self.authority = authority
        self.interval = interval
        self.logger = logger
        self.now = now
    }

    /// Polls until graceful shutdown; a failed pass is logged and retried on the next tick.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await authority.synchronize(now: now())
                } catch {
                    logger.error("revocation synchronization failed", metadata: ["pki.error": "\(error)"])
                }
                do {
                    try await Task.sleep(for: interval)
                } catch {
                    return
                }
            }
        }
    }
}
