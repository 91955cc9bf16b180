import Foundation
import NIOCore

/// When a session must close because its credential (SAS token, certificate) expires. The expiry comes from the
/// client, so the delay is clamped into a range `TimeAmount` can always hold: a token valid for centuries closes
/// the session after `maximumLifetime` instead of trapping.
public enum SessionExpiry {
    /// The longest a session stays open on one credential (the client reconnects with a fresh one).
    public static let maximumLifetime: TimeInterval = 365 * 24 * 60 * 60

    /// The delay from `now` until `expiry`, clamped to 0...`maximumLifetime` (a non-finite difference counts as the
    /// maximum when positive, else as 0).
    public static func delay(until expiry: Date, now: Date) -> TimeAmount {
        let remaining = expiry.timeIntervalSince(now)
        let clamped: TimeInterval
        if remaining.isNaN || remaining <= 0 {
            clamped = 0
        } else {
            clamped = min(remaining, maximumLifetime)
        }
        return .milliseconds(Int64(clamped * 1000))
    }

    /// Closes the connection behind `outbound` when `expiry` passes. The timer is cancelled when the connection closes
    /// first, so short sessions (a DPS registration) do not leave a timer holding their channel for the token's life.
    static func closeAtExpiry(_ outbound: MQTTOutbound, expiry: Date, now: Date) {
        let channel = outbound.channel
        let timer = channel.eventLoop.scheduleTask(deadline: .now() + delay(until: expiry, now: now)) {
            channel.close(promise: nil)
        }
        channel.closeFuture.whenComplete { _ in timer.cancel() }
    }
}
