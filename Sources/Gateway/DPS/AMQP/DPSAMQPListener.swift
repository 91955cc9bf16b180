import Foundation
import PKI
import Logging
import NIOCore
import Provisioning
import ServiceLifecycle

/// DPS over AMQP on TLS (port 5671 by default): SASL PLAIN with the device's SAS, SASL TPM's challenge exchange or the
/// TLS client certificate, then the register/poll link pair on `{scope}/registrations/{reg}` — attested, budgeted and
/// limited as the DPS MQTT listener is. ``webSocketTunnel`` serves the same on the DPS HTTPS listener.
public struct DPSAMQPListener: Service {
    let configuration: AMQPListener.Configuration
    let server: DPSAMQPConnectionServer
    let onBound: @Sendable (SocketAddress) async -> Void

    /// Creates the listener. `sessions` is where open connections are registered so a disabled enrollment or revoked
    /// certificate closes them; `unauthenticatedLimiter` is charged refused attestations and TPM challenges per address;
    /// `idleTimeout` closes silent connections.
    public init(configuration: AMQPListener.Configuration, idScope: String, repository: any EnrollmentRepository,
                registrations: RegistrationService, rateLimiter: RegistrationRateLimiter,
                tpmChallenges: TPMChallengeStore, tpmPolicy: TPMAttestationPolicy = .none,
                operationalCertificates: OperationalCertificateAttestor? = nil, revocation: (any PresentedCertificateChecking)? = nil,
                sessions: AuthorizedSessionRegistry, unauthenticatedLimiter: SourceRateLimiter?, idleTimeout: TimeAmount,
                logger: Logger, now: @escaping @Sendable () -> Date = Date.init,
                onBound: @escaping @Sendable (SocketAddress) async -> Void = { _ in }) {
        let attestation = DPSAttestation(
            repository: repository, symmetricKeys: SymmetricKeyAttestor(repository: repository, idScope: idScope),
            certificates: X509Attestor(repository: repository, operationalCertificates: operationalCertificates),
            revocation: revocation, now: now)
        let endpoint = DPSAMQPEndpoint(
            idScope: idScope, attestation: attestation,
            tpm: TPMAttestor(repository: repository, idScope: idScope, challenges: tpmChallenges, policy: tpmPolicy),
            registrations: registrations, rateLimiter: rateLimiter, unauthenticatedLimiter: unauthenticatedLimiter,
            sessions: sessions, idleTimeout: idleTimeout, now: now)
        self.configuration = configuration
        self.server = DPSAMQPConnectionServer(name: configuration.name, openTimeout: configuration.openTimeout, endpoint: endpoint,
                                              logger: logger)
        self.onBound = onBound
    }

    /// DPS AMQP over WebSockets (`/$iothub/websocket`, subprotocol `AMQPWSB10`) for the DPS HTTPS listener.
    public var webSocketTunnel: any WebSocketTunnel {
        DPSAMQPWebSocketTunnel(server: server)
    }

    /// Binds, serves until graceful shutdown, then closes every connection.
    public func run() async throws {
        let server = self.server
        let registry = server.endpoint.connections
        try await TLSStreamListener(
            name: configuration.name, protocolName: "AMQP", host: configuration.host, port: configuration.port,
            identity: configuration.identity, reloadableContext: configuration.reloadableContext,
            connections: configuration.connections, logger: server.logger
        ).run(configure: { channel, certificates in try server.configure(channel, presentedCertificates: certificates) },
              serve: { await server.serve($0) }, closeAll: { registry.closeAll() }, onBound: onBound)
    }
}
