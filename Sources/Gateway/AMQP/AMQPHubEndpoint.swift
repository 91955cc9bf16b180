import NIOCore
import AccessControl
import Foundation
import Hub
import Routing

/// What a shard's AMQP connections serve: the hub (C2D, feedback), its routing (the built-in `events` log behind the
/// Event Hubs-compatible endpoint), the token verifier of its shared access policies, and the state shared by all of
/// its connections (partition owner levels, open connections).
public struct AMQPHubEndpoint: Sendable {
    /// The shard.
    public let shard: HubShard
    /// The shard's routing; nil leaves the Event Hubs-compatible endpoint without partitions (`amqp:not-found`).
    public let routing: ShardRouting?
    /// Checks CBS tokens and SASL PLAIN passwords against the shard's policies.
    public let verifier: ClaimsTokenVerifier
    /// The Event Hubs entity path (the shard's name) and the host clients dial (the redirect names it).
    public let entity: String
    /// The host name in redirects (`amqp:link:redirect` info).
    public let hostName: String
    /// The AMQP port in redirects.
    public let amqpPort: Int
    /// Reported as the event hub's `created_at`.
    public let createdAt: Date
    /// A connection whose peer sends nothing for this long is closed (`amqp:resource-limit-exceeded`); half of it is
    /// advertised as the server's `idle-time-out`, so clients keep alive well within it.
    public let idleTimeout: TimeAmount
    /// What device links need: the shard's device credential check and the directory through which the hub reaches
    /// connected devices. Nil: the listener serves the service side only and refuses device links.
    public let devices: AMQPDeviceAccess?
    let ownership = PartitionOwnership()
    let connections = MQTTSessionRegistry()
    /// The clock (tokens expire by it).
    let now: @Sendable () -> Date

    /// Creates the endpoint of `shard`.
    public init(shard: HubShard, routing: ShardRouting?, verifier: ClaimsTokenVerifier, entity: String, hostName: String,
                amqpPort: Int, createdAt: Date, devices: AMQPDeviceAccess? = nil, now: @escaping @Sendable () -> Date = { Date() },
                idleTimeout: TimeAmount = .seconds(240)) {
        self.devices = devices
        self.shard = shard
        self.routing = routing
        self.verifier = verifier
        self.entity = entity
        self.hostName = hostName
        self.amqpPort = amqpPort
        self.createdAt = createdAt
        self.idleTimeout = idleTimeout
        self.now = now
    }
}

/// What a shard's AMQP listener needs to serve devices.
public struct AMQPDeviceAccess: Sendable {
    /// Admits devices by SAS token or TLS client certificate, and refuses those whose enrollment is disabled.
    public let credentials: HubDeviceCredentialCheck
    /// The hub's live device sessions (methods, desired patches, C2D wake-ups, disconnects).
    public let directory: HubConnectionDirectory

    /// Creates the access.
    public init(credentials: HubDeviceCredentialCheck, directory: HubConnectionDirectory) {
        self.credentials = credentials
        self.directory = directory
    }
}
