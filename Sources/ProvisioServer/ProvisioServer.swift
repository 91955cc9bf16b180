import Foundation
import Gateway
import Hub
import PKI
import Routing
import Storage
import Hummingbird
import Logging
import NIOCore
import MQTTCodec
import Provisioning
import AccessControl
import ServiceLifecycle
import UnixSignals

/// `provisio serve`: opens the data directory, starts the DPS and shard listeners under one ServiceGroup,
/// announces readiness, and stops listeners first on SIGTERM/SIGINT.
public struct ProvisioServer: Sendable {
    /// The configuration to run.
    public let configuration: ServerConfiguration
    /// Where state lives.
    public let dataDirectory: DataDirectory
    let logger: Logger

    /// Creates a server.
    public init(configuration: ServerConfiguration, dataDirectory: DataDirectory, logger: Logger) {
        self.configuration = configuration
        self.dataDirectory = dataDirectory
        self.logger = logger
    }

    /// Runs until a shutdown signal; `announce` receives the `ready` line.
    public func run(announce: @escaping @Sendable (String) -> Void) async throws {
        try dataDirectory.prepare()
        let lock = try DataDirectoryLock(directory: dataDirectory)
        defer { lock.release() }
        // A stale connection.json must never look like readiness.
        try? FileManager.default.removeItem(at: dataDirectory.connectionDocument)

        let installation = try await Installation.open(dataDirectory: dataDirectory, configuration: configuration)
        logger.info("data directory open", metadata: [
            "provisio.data_dir": "\(dataDirectory.root.path)", "dps.id_scope": "\(installation.idScope)",
        ])

        let endpoints = [("dps", configuration.dps.endpoint)] + configuration.shards.map { ($0.name, $0.endpoint) }
        // Every listener reports "{endpoint}/{kind}" when bound; the server is ready when all of them have.
        let listenerKinds = ["mqtt", "https"]
        // Shards also serve AMQP (the Event Hubs-compatible endpoint and the service links).
        let expected = Set(endpoints.flatMap { endpoint in listenerKinds.map { "\(endpoint.0)/\($0)" } } + ["dps/pki", "dps/amqp"]
            + configuration.shards.map { "\($0.name)/amqp" })
        let document = ConnectionDocumentBuilder(configuration: configuration, installation: installation)
        let connectionFile = dataDirectory.connectionDocument
        let logger = self.logger
        let tracker = ReadinessTracker(expected: expected) { bound in
            do {
                let connection = document.build(bound: bound)
                try AtomicFile.write(try connection.encoded(), to: connectionFile, permissions: 0o600)
                announce(document.readyLine(connection, file: connectionFile))
            } catch {
                logger.critical("cannot write connection.json", metadata: ["provisio.error": "\(error)"])
            }
        }

        let routing = try await RoutingSetup.open(
            database: installation.database, shardNames: configuration.shards.map(\.name),
            policies: URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("Policies"), logger: logger)
        let connections = HubConnectionDirectory(observer: routing.connectionEvents)
        let hubDirectory = LocalHubDirectory(
            hubs: configuration.shards.map {
                HubDescriptor(name: $0.name, hostName: $0.endpoint.hostName, weight: $0.weight, region: $0.region,
                              latencyMilliseconds: $0.latencyMilliseconds)
            },
            registry: routing.registry, notifier: connections)
        let issuancePolicies = try IssuancePolicyLoader.load(
            configured: configuration.dps.issuancePolicy,
            workingDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        let tpmPolicy = try TPMAttestationPolicyDocument.policy(
            configured: configuration.dps.tpmAttestationPolicy,
            workingDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        let rateLimiter = RegistrationRateLimiter(ratePerSecond: Double(configuration.dps.registrationRateLimit))
        let limits = configuration.limits
        let (listenerLimits, telemetryBudget) = (limits.listenerLimits(), limits.telemetryBudget())
        let unauthenticatedLimiter = limits.unauthenticatedLimiter()
        // One store of pending TPM challenges for HTTPS and AMQP: the bounds per registration and source hold across both.
        let tpmChallenges = TPMChallengeStore(keysPerRegistration: limits.tpmChallengesPerRegistration,
                                              keysPerSource: limits.tpmChallengesPerAddress, totalKeys: limits.tpmChallengesTotal)

        let startedAt = Date()
        let telemetry = TelemetryBatcher(store: routing.telemetryStore)
        let shards = Dictionary(uniqueKeysWithValues: configuration.shards.map { shard in
            (shard.name, HubShard(name: shard.name, hostName: shard.endpoint.hostName, registry: routing.registry,
                                  cloudToDevice: installation.database, telemetry: telemetry, notifier: connections,
                                  modules: installation.database, fileNotifications: installation.database, jobs: installation.database,
                                  configurations: installation.database, importExportJobs: installation.database))
        })
        let deviceTrust = X509Attestor(repository: installation.database)
        let ocspSigners = try await Self.ocspSigners(configuration: configuration, installation: installation)
        let revocation = try await Self.revocationAuthority(installation: installation, connections: connections,
                                                            ocspSigners: ocspSigners, logger: logger)
        // Every non-retired CA generation's CRL and OCSP are served; a rotation monitor keeps this current.
        await revocation.replaceAuthorities(installation.authorities.set.revocationAuthorities(at: Date()))
        try await revocation.synchronize(now: Date())
        var tlsContexts: [String: ReloadableTLSContext] = [:]
        for (name, identity) in installation.tlsIdentities {
            tlsContexts[name] = try ReloadableTLSContext(identity: identity)
        }
        let authorities = installation.authorities
        // Created after the revocation authority: renewals under an `onRenewal: revoke` policy revoke through it.
        let operationalIssuer = CAOperationalCertificateIssuer(authorities: installation.authorities, policies: issuancePolicies,
                                                               succession: installation.database, revocation: revocation, logger: logger)
        let registrations = RegistrationService(
            repository: installation.database, hubDirectory: hubDirectory,
            defaultPolicy: configuration.dps.defaultAllocationPolicy, webhook: URLSessionWebhook(),
            webhookTimeout: .seconds(configuration.dps.customAllocationTimeoutSeconds),
            issuer: operationalIssuer)
        // Devices renew at DPS with the operational certificate they were issued, whatever their enrollment's attestation.
        let operationalCertificates = OperationalCertificateAttestor(
            repository: installation.database, inventory: installation.database,
            issuingCertificates: { authorities.verifyingIssuingCertificates })

        var services: [any Service] = [
            RevocationMonitor(authority: revocation, logger: logger),
            EnrollmentStatusMonitor(status: installation.database, connections: connections, logger: logger),
            PKIHTTPListener(host: configuration.dps.endpoint.effectiveListenAddress, port: configuration.dps.pkiHTTPPort,
                            authority: revocation, limits: listenerLimits, logger: logger, onBound: { await tracker.listenerBound("dps/pki", at: $0) }),
            routing.service(logger: logger),
            CARotationMonitor(installation: installation, configuration: configuration, revocation: revocation,
                              connections: connections, tlsContexts: tlsContexts, interval: .milliseconds(250), logger: logger),
        ]
        services += shards.values.map { ScheduledJobService(shard: $0, logger: logger) as any Service }
        // Import and export jobs reach the shards' own blob services, each through its file-upload key.
        let blobServices = shards.values.compactMap { shard in
            fileUploads(shard: shard, installation: installation, dataDirectory: dataDirectory).map { (shard.name, $0) }
        }
        let containers = ShardBlobContainers(uploadsByHostName: Dictionary(
            blobServices.map { ($0.1.shard.hostName, $0.1) }, uniquingKeysWith: { first, _ in first }))
        services += shards.values.map { ImportExportJobService(shard: $0, containers: containers) as any Service }
        services += shards.values.map {
            ConfigurationConvergenceService(shard: $0, interval: .seconds(Int64(limits.configurationMetricsIntervalSeconds)), logger: logger)
                as any Service
        }
        for (name, endpoint) in endpoints {
            guard let identity = installation.tlsIdentities[name] else { continue }
            var endpointLogger = logger
            endpointLogger[metadataKey: name == "dps" ? "dps.endpoint" : "hub.shard"] = "\(name)"
            let hubAuthenticator = shards[name].map { shard in
                HubConnectAuthenticator(
                    shard: shard, directory: connections, logger: endpointLogger,
                    enrollmentStatus: installation.database,
                    validateChain: { chain in
                        // Anchored at the issuing CAs (not the root) so a retired issuing CA stops verifying.
                        (try? await deviceTrust.isTrusted(chain: chain, extraAnchors: authorities.verifyingIssuingCertificates,
                                                          now: Date())) ?? false
                    })
            }
            let authenticator: any MQTTConnectAuthenticator = name == "dps"
                ? DPSConnectAuthenticator(idScope: installation.idScope.value, repository: installation.database,
                                          registrations: registrations, rateLimiter: rateLimiter, logger: endpointLogger,
                                          operationalCertificates: operationalCertificates, revocation: revocation,
                                          sessions: connections.sessions, unauthenticatedLimiter: unauthenticatedLimiter)
                : hubAuthenticator!
            let mqttListener = MQTTListener(
                configuration: .init(name: name, host: endpoint.effectiveListenAddress, port: endpoint.mqttPort, identity: identity,
                                     connectTimeout: .seconds(Int64(limits.mqttConnectTimeoutSeconds)),
                                     reloadableContext: tlsContexts[name], connections: listenerLimits.connections,
                                     telemetryBudget: telemetryBudget),
                authenticator: RevocationEnforcingAuthenticator(authenticator, checker: revocation, logger: endpointLogger),
                logger: endpointLogger,
                onBound: { await tracker.listenerBound("\(name)/mqtt", at: $0) })
            services.append(mqttListener)
            var amqpListener: AMQPListener?
            if let shard = shards[name] {
                let hubEndpoint = AMQPHubEndpoint(
                    shard: shard, routing: routing.shards[name],
                    verifier: ClaimsTokenVerifier(hostNames: Self.serviceHostNames(endpoint, boundPort: endpoint.httpsPort), entityPath: name,
                                                  policies: installation.hubPolicies[name] ?? []),
                    entity: name, hostName: endpoint.hostName, amqpPort: endpoint.amqpPort, createdAt: startedAt,
                    devices: hubAuthenticator.map { AMQPDeviceAccess(credentials: $0.credentials, directory: connections) },
                    idleTimeout: .seconds(Int64(limits.amqpIdleTimeoutSeconds)))
                let listener = AMQPListener(
                    configuration: .init(name: name, host: endpoint.effectiveListenAddress, port: endpoint.amqpPort, identity: identity,
                                         openTimeout: .seconds(Int64(limits.mqttConnectTimeoutSeconds)),
                                         reloadableContext: tlsContexts[name], connections: listenerLimits.connections),
                    endpoint: hubEndpoint, logger: endpointLogger,
                    onBound: { await tracker.listenerBound("\(name)/amqp", at: $0) })
                services.append(listener)
                amqpListener = listener
            }
            var dpsAMQPListener: DPSAMQPListener?
            if name == "dps" {
                let listener = DPSAMQPListener(
                    configuration: .init(name: name, host: endpoint.effectiveListenAddress, port: endpoint.amqpPort, identity: identity,
                                         openTimeout: .seconds(Int64(limits.mqttConnectTimeoutSeconds)),
                                         reloadableContext: tlsContexts[name], connections: listenerLimits.connections),
                    idScope: installation.idScope.value, repository: installation.database, registrations: registrations,
                    rateLimiter: rateLimiter, tpmChallenges: tpmChallenges, tpmPolicy: tpmPolicy,
                    operationalCertificates: operationalCertificates, revocation: revocation, sessions: connections.sessions,
                    unauthenticatedLimiter: unauthenticatedLimiter, idleTimeout: .seconds(Int64(limits.amqpIdleTimeoutSeconds)),
                    logger: endpointLogger, onBound: { await tracker.listenerBound("dps/amqp", at: $0) })
                services.append(listener)
                dpsAMQPListener = listener
            }
            let router = Router(context: ProvisioRequestContext.self)
            router.middlewares.add(ServiceErrorMiddleware())
            router.middlewares.add(RevocationEnforcingMiddleware(checker: revocation))
            router.middlewares.add(AuditActorMiddleware(
                policies: name == "dps" ? installation.dpsPolicies : installation.hubPolicies[name] ?? []))
            HealthRoutes.add(to: router, endpoint: name)
            if name == "dps" {
                let dpsHostNames = Self.serviceHostNames(endpoint, boundPort: endpoint.httpsPort)
                let dpsAuthenticator = ServiceAuthenticator(policies: installation.dpsPolicies, hostNames: dpsHostNames)
                DPSServiceRoutes.add(
                    to: router,
                    service: EnrollmentService(repository: installation.database, linkedHubHostNames: hubDirectory.hubs.map(\.hostName),
                                               tpmPolicy: tpmPolicy),
                    authenticator: dpsAuthenticator)
                DPSServiceRoutes.addRevocationRoutes(to: router, authority: revocation, authenticator: dpsAuthenticator)
                DPSServiceRoutes.addAuditRoutes(to: router, log: installation.database, authenticator: dpsAuthenticator)
                DPSDeviceRoutes(idScope: installation.idScope.value, repository: installation.database,
                                registrations: registrations, rateLimiter: rateLimiter,
                                unauthenticatedLimiter: unauthenticatedLimiter, tpmChallenges: tpmChallenges,
                                tpmPolicy: tpmPolicy,
                                operationalCertificates: operationalCertificates).add(to: router)
                ESTRoutes(repository: installation.database, issuer: operationalIssuer, inventory: installation.database,
                          checker: revocation, caCertificates: { Self.estCACertificates(authorities) },
                          issuingCertificates: { authorities.verifyingIssuingCertificates }, rateLimiter: rateLimiter,
                          unauthenticatedLimiter: unauthenticatedLimiter).add(to: router)
            } else if let shard = shards[name] {
                HubServiceRoutes.add(
                    to: router, shard: shard,
                    authenticator: ServiceAuthenticator(policies: installation.hubPolicies[name] ?? [],
                                                        hostNames: Self.serviceHostNames(endpoint, boundPort: endpoint.httpsPort)),
                    presence: connections)
                if let uploads = blobServices.first(where: { $0.0 == name })?.1 {
                    HubImportExportRoutes.add(to: router, shard: shard, authenticator: ServiceAuthenticator(
                        policies: installation.hubPolicies[name] ?? [], hostNames: Self.serviceHostNames(endpoint, boundPort: endpoint.httpsPort)),
                                              uploads: uploads)
                    BlobRoutes.addContainers(to: router, uploads: uploads)
                }
                if let hubAuthenticator {
                    HubDeviceRoutes.add(to: router, shard: shard, credentials: hubAuthenticator.credentials,
                                        fileUploads: fileUploads(shard: shard, installation: installation, dataDirectory: dataDirectory),
                                        hostNames: [ConnectionDocumentBuilder.serviceHostName(endpoint.hostName, httpsPort: endpoint.httpsPort)]
                                            + Self.serviceHostNames(endpoint, boundPort: endpoint.httpsPort))
                }
                if let shardRouting = routing.shards[name] {
                    HubEventRoutes.add(to: router, routing: shardRouting, authenticator: ServiceAuthenticator(
                        policies: installation.hubPolicies[name] ?? [], hostNames: Self.serviceHostNames(endpoint, boundPort: endpoint.httpsPort)))
                }
            }
            services.append(HTTPSListener(
                name: name, host: endpoint.effectiveListenAddress, port: endpoint.httpsPort, fallbackPort: endpoint.httpsFallbackPort,
                identity: identity,
                reloadableContext: tlsContexts[name], router: router, limits: listenerLimits,
                tunnels: [mqttListener.webSocketTunnel] + (amqpListener.map { [$0.webSocketTunnel] } ?? [])
                    + (dpsAMQPListener.map { [$0.webSocketTunnel] } ?? []), logger: endpointLogger,
                onBound: { await tracker.listenerBound("\(name)/https", at: $0) }))
        }

        var groupConfiguration = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(15)
        defer {
            // connection.json describes a running server; it goes away with it.
            try? FileManager.default.removeItem(at: connectionFile)
        }
        try await ServiceGroup(configuration: groupConfiguration).run()
    }
}

extension ProvisioServer {
    /// The revocation authority of the installation's CAs, synchronised once (CRLs issued) before listeners start;
    /// every revocation closes the affected devices' sessions on every shard.
    static func revocationAuthority(installation: Installation, connections: HubConnectionDirectory,
                                    ocspSigners: DelegatedOCSPSigner? = nil, logger: Logger) async throws -> RevocationAuthority {
        let authority = RevocationAuthority(hierarchy: installation.hierarchy, store: installation.database, ocspSigners: ocspSigners)
        await authority.onRevocation { entries in
            for entry in entries {
                logger.notice("certificate revoked", metadata: [
                    "pki.serial": "\(entry.record.serialNumber)", "hub.device_id": "\(entry.record.deviceId ?? "-")",
                    "pki.reason": "\(entry.revocation?.reason.name ?? "-")",
                ])
            }
            for entry in entries {
                connections.sessions.close(.certificateRevoked(
                    serialNumber: entry.record.serialNumber, deviceId: entry.record.deviceId,
                    superseded: entry.revocation?.reason == .superseded))
            }
        }
        try await authority.synchronize(now: Date())
        return authority
    }

    /// A shard's file uploads: files under the data directory, SAS tokens signed with a key derived from the
    /// shard's `iothubowner` key (so it survives restarts and changes with a key rotation).
    func fileUploads(shard: HubShard, installation: Installation, dataDirectory: DataDirectory) -> FileUploads? {
        guard let owner = installation.hubPolicies[shard.name]?.first(where: { $0.name == "iothubowner" }),
              let settings = configuration.shards.first(where: { $0.name == shard.name })?.fileUpload else { return nil }
        let store = LocalBlobStore(root: dataDirectory.files)
        return FileUploads(shard: shard, settings: settings, store: store, ledger: store,
                           key: owner.primaryKey.derived(for: "provisio file upload storage key"))
    }

    /// The names a service token may be scoped to: the host name without a port and with the HTTPS port (or its
    /// unprivileged fallback, which the listener may have bound instead).
    static func serviceHostNames(_ endpoint: EndpointConfiguration, boundPort: Int) -> [String] {
        let ports = [boundPort] + (endpoint.httpsFallbackPort.map { [$0] } ?? [])
        var names = [endpoint.hostName] + ports.map { "\(endpoint.hostName):\($0)" }
        if let listen = endpoint.listenAddress { names += [listen] + ports.map { "\(listen):\($0)" } }
        return names
    }
}

/// Builds `connection.json` from the configuration, the installation and the actually bound ports.
struct ConnectionDocumentBuilder: Sendable {
    let configuration: ServerConfiguration
    let installation: Installation

    func build(bound: [String: SocketAddress]) -> ConnectionDocument {
        func port(_ key: String, _ configured: Int) -> Int { bound[key]?.port ?? configured }
        let dps = configuration.dps.endpoint
        let dpsHTTPS = port("dps/https", dps.httpsPort)
        let owner = installation.dpsPolicies.first { $0.name == "provisioningserviceowner" } ?? installation.dpsPolicies[0]
        let hubs = configuration.shards.map { shard -> ConnectionDocument.Hub in
            let https = port("\(shard.name)/https", shard.endpoint.httpsPort)
            let policies = installation.hubPolicies[shard.name] ?? []
            let hostName = Self.serviceHostName(shard.endpoint.hostName, httpsPort: https)
            let connection = (policies.first { $0.name == "iothubowner" } ?? policies.first)?
                .connectionString(hostName: hostName) ?? ""
            // Event Hubs clients authenticate with the hub's `service` policy (ServiceConnect), as Azure's built-in
            // endpoint connection string does; the entity is the shard's events log, named after the shard.
            let eventHubs = (policies.first { $0.name == "service" } ?? policies.first { $0.permissions.contains(.serviceConnect) })?
                .eventHubsConnectionString(hostName: shard.endpoint.hostName, entityPath: shard.name) ?? ""
            return ConnectionDocument.Hub(
                name: shard.name, hostName: shard.endpoint.hostName,
                mqttPort: port("\(shard.name)/mqtt", shard.endpoint.mqttPort),
                amqpPort: port("\(shard.name)/amqp", shard.endpoint.amqpPort), httpsPort: https,
                serviceConnectionString: connection, eventHubsConnectionString: eventHubs)
        }
        return ConnectionDocument(
            idScope: installation.idScope.value,
            dps: .init(host: dps.hostName, mqttPort: port("dps/mqtt", dps.mqttPort), amqpPort: port("dps/amqp", dps.amqpPort),
                       httpsPort: dpsHTTPS,
                       serviceConnectionString: owner.connectionString(hostName: Self.serviceHostName(dps.hostName, httpsPort: dpsHTTPS))),
            hubs: hubs,
            trustBundle: installation.dataDirectory.trustBundle.path)
    }

    /// A connection string's `HostName`: the host alone on 443, as Azure's always are (the AMQP clients derive their
    /// `amqps://` address from it, so a port there would be dialled for AMQP too); `host:port` otherwise.
    static func serviceHostName(_ hostName: String, httpsPort: Int) -> String {
        httpsPort == EndpointConfiguration.defaultHTTPSPort ? hostName : "\(hostName):\(httpsPort)"
    }

    /// The `ready` line; it names every endpoint whose HTTPS fell back from 443 to the unprivileged port.
    func readyLine(_ connection: ConnectionDocument, file: URL) -> String {
        var line = "ready idScope=\(connection.idScope) dps=\(connection.dps.host):\(connection.dps.mqttPort)"
            + " hubs=\(connection.hubs.map(\.hostName).joined(separator: ",")) connection=\(file.path)"
        let configured = [configuration.dps.endpoint.httpsPort] + configuration.shards.map(\.endpoint.httpsPort)
        let bound = [("dps", connection.dps.httpsPort)] + connection.hubs.map { ($0.name, $0.httpsPort) }
        let fellBack = zip(configured, bound).filter { configured, bound in
            configured == EndpointConfiguration.defaultHTTPSPort && bound.1 == EndpointConfiguration.unprivilegedHTTPSPort
        }.map(\.1.0)
        if !fellBack.isEmpty {
            line += " httpsFallback=\(EndpointConfiguration.unprivilegedHTTPSPort) endpoints=\(fellBack.joined(separator: ","))"
                + " (binding 443 was refused: no privilege; WebSocket transports and SDK file uploads need 443)"
        }
        return line
    }
}
