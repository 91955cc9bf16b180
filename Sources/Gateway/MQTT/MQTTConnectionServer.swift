import Logging
import MQTTCodec
import NIOCore
import NIOSSL

/// Serves MQTT connections whatever carries their bytes — TLS on 8883 or a WebSocket on the HTTPS listener —
/// with the same codec limits, CONNECT deadline, telemetry back-pressure, connection rules and one connection per
/// client id; what a connection may do is up to its `MQTTConnectAuthenticator`.
struct MQTTConnectionServer: Sendable {
    /// One connection's channel, presented certificates and publish fast path, ready to serve.
    struct Connection: Sendable {
        var channel: NIOAsyncChannel<MQTTPacket, MQTTPacket>
        var presentedCertificates: @Sendable () -> [NIOSSLCertificate]
        var fastPath: NIOLoopBound<MQTTPublishFastPathHandler>
    }

    /// A short name for logs (`dps`, `hub-1`, `hub-1/ws`).
    let name: String
    let limits: MQTTCodecLimits
    /// From accept (or upgrade) to an accepted CONNECT: an absolute deadline, not reset by reads.
    let connectTimeout: TimeAmount
    let telemetryBudget: UncommittedTelemetryBudget
    let authenticator: any MQTTConnectAuthenticator
    let registry: MQTTSessionRegistry
    let logger: Logger

    /// Adds the MQTT handlers behind whatever delivers the connection's bytes (`ByteBuffer`s) and wraps the channel;
    /// must run on the channel's event loop. `readDeadline` false: an earlier `ReadTimeoutHandler` in the pipeline
    /// already runs the CONNECT deadline (and later keep-alive).
    func configure(_ channel: any Channel, readDeadline: Bool = true,
                   presentedCertificates: @escaping @Sendable () -> [NIOSSLCertificate]) throws -> Connection {
        let sync = channel.pipeline.syncOperations
        if readDeadline { try sync.addHandler(ReadTimeoutHandler(timeout: connectTimeout)) }
        try sync.addHandler(ByteToMessageHandler(MQTTPacketDecoder(limits: limits)))
        let fastPath = MQTTPublishFastPathHandler(budget: telemetryBudget)
        try sync.addHandler(fastPath)
        try sync.addHandler(MessageToByteHandler(MQTTPacketEncoder()))
        let asyncChannel = try NIOAsyncChannel<MQTTPacket, MQTTPacket>(wrappingChannelSynchronously: channel)
        return Connection(channel: asyncChannel, presentedCertificates: presentedCertificates,
                          fastPath: NIOLoopBound(fastPath, eventLoop: channel.eventLoop))
    }

    /// Runs the connection to its end: CONNECT, the session, and the clean-up.
    func serve(_ connection: Connection) async {
        let channel = connection.channel.channel
        guard registry.track(channel) else {
            // Shutting down: close without serving (executeThenClose also finishes the channel's writer).
            try? await connection.channel.executeThenClose { _, _ in }
            return
        }
        var logger = self.logger
        logger[metadataKey: "gateway.listener"] = "\(name)"
        logger[metadataKey: "gateway.peer"] = "\(channel.remoteAddress.map { "\($0)" } ?? "?")"
        var clientId: String?
        var session: (any MQTTSession)?
        do {
            try await connection.channel.executeThenClose { inbound, outbound in
                var machine = MQTTConnectionStateMachine()
                for try await packet in inbound {
                    switch machine.received(packet) {
                    case .authenticate(let connect):
                        let request = MQTTConnectRequest(
                            connect: connect,
                            presentedCertificates: connection.presentedCertificates(),
                            remoteAddress: channel.remoteAddress,
                            outbound: MQTTOutbound(writer: outbound, channel: channel)
                        )
                        switch await authenticator.authenticate(request) {
                        case .accept(let accepted, let sessionPresent):
                            machine.authenticated(accepted: true)
                            session = accepted
                            clientId = connect.clientIdentifier
                            logger[metadataKey: "gateway.client_id"] = "\(connect.clientIdentifier)"
                            registry.claim(clientId: connect.clientIdentifier, for: channel)?.close(promise: nil)
                            if let path = accepted.publishFastPath {
                                let handler = connection.fastPath
                                try await channel.eventLoop.submit { handler.value.activate(path) }.get()
                            }
                            try await outbound.write(.connAck(MQTTConnAck(sessionPresent: sessionPresent, returnCode: .accepted)))
                            let keepAlive: TimeAmount? = connect.keepAliveSeconds == 0
                                ? nil : .milliseconds(Int64(connect.keepAliveSeconds) * 1500)
                            try await channel.triggerUserOutboundEvent(ReadTimeoutHandler.SetTimeout(timeout: keepAlive))
                            logger.debug("MQTT client connected")
                            await accepted.connected()
                        case .refuse(let code, let reason):
                            machine.authenticated(accepted: false)
                            logger.info("MQTT CONNECT refused", metadata: ["gateway.connack": "\(code.rawValue)", "gateway.reason": "\(reason)"])
                            try await outbound.write(.connAck(MQTTConnAck(sessionPresent: false, returnCode: code)))
                            return
                        }
                    case .refuse(let code, let reason):
                        logger.info("MQTT CONNECT refused", metadata: ["gateway.connack": "\(code.rawValue)", "gateway.reason": "\(reason)"])
                        try await outbound.write(.connAck(MQTTConnAck(sessionPresent: false, returnCode: code)))
                        return
                    case .sendPingResponse:
                        try await outbound.write(.pingResp)
                    case .deliver(let packet):
                        guard let session else { return }
                        try await deliver(packet, to: session, outbound: outbound)
                    case .close(let reason):
                        logger.debug("MQTT connection closing", metadata: ["gateway.reason": "\(reason)"])
                        return
                    }
                }
            }
        } catch {
            logger.debug("MQTT connection ended", metadata: ["gateway.reason": "\(error)"])
        }
        registry.release(channel, clientId: clientId)
        channel.close(promise: nil)
        await session?.closed()
    }

    private func deliver(_ packet: MQTTPacket, to session: any MQTTSession,
                         outbound: NIOAsyncChannelOutboundWriter<MQTTPacket>) async throws {
        switch packet {
        case .publish(let publish):
            try await session.publish(publish)
            if publish.qos == .atLeastOnce, let id = publish.packetIdentifier {
                try await outbound.write(.pubAck(packetIdentifier: id))
            }
        case .subscribe(let subscribe):
            let codes = await session.subscribe(subscribe.subscriptions)
            try await outbound.write(.subAck(MQTTSubAck(packetIdentifier: subscribe.packetIdentifier, returnCodes: codes)))
            await session.subscriptionsAcknowledged()
        case .unsubscribe(let unsubscribe):
            await session.unsubscribe(unsubscribe.topicFilters)
            try await outbound.write(.unsubAck(packetIdentifier: unsubscribe.packetIdentifier))
        case .pubAck(let id):
            await session.acknowledged(packetIdentifier: id)
        default:
            break
        }
    }
}
