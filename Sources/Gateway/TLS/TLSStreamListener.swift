import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle

/// The part every TLS stream listener shares (MQTT on 8883, AMQP on 5671): bind, the connection limiter (refused
/// before TLS), TLS with the presented chain captured, the protocol's own handlers, one task per connection, and on
/// graceful shutdown no new connections and every open one closed.
struct TLSStreamListener: Sendable {
    /// A short name for logs (`dps`, `hub-1`).
    let name: String
    /// What the listener speaks, for the "listener up" log line (`MQTT`, `AMQP`).
    let protocolName: String
    let host: String
    let port: Int
    let identity: TLSServerIdentity
    let reloadableContext: ReloadableTLSContext?
    let connections: ConnectionLimiter?
    let logger: Logger

    /// Binds and serves until graceful shutdown. `configure` adds the protocol's handlers behind TLS (on the channel's
    /// event loop) and wraps the channel; `serve` runs one connection; `closeAll` closes every open connection.
    func run<Connection: Sendable>(
        configure: @escaping @Sendable (any Channel, @escaping @Sendable () -> [NIOSSLCertificate]) throws -> Connection,
        serve: @escaping @Sendable (Connection) async -> Void,
        closeAll: @escaping @Sendable () -> Void,
        onBound: @Sendable (SocketAddress) async -> Void
    ) async throws {
        let address = "\(host):\(port)"
        let sslContexts: ReloadableTLSContext
        do {
            sslContexts = try reloadableContext ?? ReloadableTLSContext(identity: identity)
        } catch {
            throw GatewayError(.invalidTLSIdentity, "\(name): cannot load the TLS certificate: \(error)")
        }
        let (connectionLimiter, listenerName, logger) = (connections, name, self.logger)
        let server: NIOAsyncChannel<Connection, Never>
        do {
            server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.backlog, value: 512)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .bind(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let chain = PresentedCertificateChain()
                        let sync = channel.pipeline.syncOperations
                        if let connectionLimiter {
                            try sync.addHandler(ConnectionLimitHandler(limiter: connectionLimiter, listener: listenerName, logger: logger))
                        }
                        try sync.addHandler(NIOSSLServerHandler(context: sslContexts.context, customVerificationCallback: chain.makeVerificationCallback()))
                        return try configure(channel, { chain.certificates })
                    }
                }
        } catch {
            throw GatewayError.listenFailure(address, error)
        }
        if let bound = server.channel.localAddress { await onBound(bound) }
        logger.info("\(protocolName) listener up", metadata: [
            "gateway.listener": "\(name)", "gateway.address": "\(server.channel.localAddress.map { "\($0)" } ?? address)",
        ])
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                try await server.executeThenClose { connections in
                    for try await connection in connections {
                        group.addTask { await serve(connection) }
                    }
                }
            }
        } onGracefulShutdown: {
            server.channel.close(promise: nil)
            closeAll()
        }
    }
}
