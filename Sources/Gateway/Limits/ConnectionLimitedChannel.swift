import HummingbirdCore
import Logging
import NIOCore

/// A Hummingbird child channel whose connections first pass a ``ConnectionLimitHandler``: over the limit, the
/// connection is closed before the base channel (TLS, HTTP) sees it become active.
struct ConnectionLimitedChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    let base: Base
    let limiter: ConnectionLimiter?
    let listener: String
    let logger: Logger

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            if let limiter {
                try channel.pipeline.syncOperations.addHandler(
                    ConnectionLimitHandler(limiter: limiter, listener: listener, logger: self.logger))
            }
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
