import Gateway
import NIOCore

/// The resource bounds (`limits:` in the server configuration); every field has a default and a range checked when the
/// configuration is loaded. Docs/operations.md ("Limits") lists them.
public struct LimitsConfiguration: Codable, Sendable, Equatable {
    /// Seconds from TCP accept to a finished TLS handshake on the HTTPS listeners.
    public var tlsHandshakeTimeoutSeconds: Int = 10
    /// Seconds from the handshake (plain HTTP: accept) to the first complete request head.
    public var requestHeadTimeoutSeconds: Int = 10
    /// Seconds a keep-alive HTTP connection may wait for its next request head, and the longest gap in a request body.
    public var idleTimeoutSeconds: Int = 60
    /// Seconds from TCP accept to an accepted MQTT CONNECT (absolute: reads do not extend it).
    public var mqttConnectTimeoutSeconds: Int = 10
    /// Seconds an AMQP connection may stay silent before it is closed (half is advertised as `idle-time-out`).
    public var amqpIdleTimeoutSeconds: Int = 240
    /// Connections one source address may hold open over all listeners.
    public var connectionsPerAddress: Int = 1_000
    /// Connections the process serves at once over all listeners.
    public var connectionsTotal: Int = 20_000
    /// Unauthenticated requests (TPM challenges, EST before its credential is checked) per second and source address.
    public var unauthenticatedRequestsPerSecond: Int = 10
    /// Unauthenticated requests one source address may make in a burst.
    public var unauthenticatedBurst: Int = 20
    /// Pending TPM challenges kept per registration id.
    public var tpmChallengesPerRegistration: Int = 8
    /// Pending TPM challenges kept per registration id and source address.
    public var tpmChallengesPerAddress: Int = 2
    /// Pending TPM challenges kept over all registrations.
    public var tpmChallengesTotal: Int = 100_000
    /// Telemetry messages one MQTT connection may have waiting for their commit before it stops reading.
    public var uncommittedMessagesPerConnection: Int = 64
    /// Telemetry bytes one MQTT connection may have waiting for their commit before it stops reading.
    public var uncommittedBytesPerConnection: Int = 1 << 20
    /// Telemetry bytes all connections together may have waiting for their commit.
    public var uncommittedBytesTotal: Int = 256 << 20
    /// Seconds between full passes of automatic device configurations over every twin (convergence and metrics).
    public var configurationMetricsIntervalSeconds: Int = 30

    /// The defaults.
    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case tlsHandshakeTimeoutSeconds, requestHeadTimeoutSeconds, idleTimeoutSeconds, mqttConnectTimeoutSeconds, amqpIdleTimeoutSeconds
        case connectionsPerAddress, connectionsTotal, unauthenticatedRequestsPerSecond, unauthenticatedBurst
        case tpmChallengesPerRegistration, tpmChallengesPerAddress, tpmChallengesTotal
        case uncommittedMessagesPerConnection, uncommittedBytesPerConnection, uncommittedBytesTotal
        case configurationMetricsIntervalSeconds
    }

    /// Each bound's key, its allowed range and its value: what `validate` checks and the docs list.
    var bounds: [(key: CodingKeys, range: ClosedRange<Int>, value: Int)] {
        [
            (.tlsHandshakeTimeoutSeconds, 1...300, tlsHandshakeTimeoutSeconds),
            (.requestHeadTimeoutSeconds, 1...300, requestHeadTimeoutSeconds),
            (.idleTimeoutSeconds, 1...3_600, idleTimeoutSeconds),
            (.mqttConnectTimeoutSeconds, 1...300, mqttConnectTimeoutSeconds),
            (.amqpIdleTimeoutSeconds, 2...3_600, amqpIdleTimeoutSeconds),
            (.connectionsPerAddress, 1...1_000_000, connectionsPerAddress),
            (.connectionsTotal, 1...1_000_000, connectionsTotal),
            (.unauthenticatedRequestsPerSecond, 1...100_000, unauthenticatedRequestsPerSecond),
            (.unauthenticatedBurst, 1...100_000, unauthenticatedBurst),
            (.tpmChallengesPerRegistration, 1...1_000, tpmChallengesPerRegistration),
            (.tpmChallengesPerAddress, 1...100, tpmChallengesPerAddress),
            (.tpmChallengesTotal, 1...10_000_000, tpmChallengesTotal),
            (.uncommittedMessagesPerConnection, 1...65_535, uncommittedMessagesPerConnection),
            (.uncommittedBytesPerConnection, 1_024...(1 << 30), uncommittedBytesPerConnection),
            (.uncommittedBytesTotal, (1 << 20)...(1 << 36), uncommittedBytesTotal),
            (.configurationMetricsIntervalSeconds, 1...86_400, configurationMetricsIntervalSeconds),
        ]
    }

    /// Decodes strictly: unknown keys are errors; missing keys keep their defaults.
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func value(_ key: CodingKeys, _ fallback: Int) throws -> Int {
            try container.decodeIfPresent(Int.self, forKey: key) ?? fallback
        }
        let defaults = LimitsConfiguration()
        tlsHandshakeTimeoutSeconds = try value(.tlsHandshakeTimeoutSeconds, defaults.tlsHandshakeTimeoutSeconds)
        requestHeadTimeoutSeconds = try value(.requestHeadTimeoutSeconds, defaults.requestHeadTimeoutSeconds)
        idleTimeoutSeconds = try value(.idleTimeoutSeconds, defaults.idleTimeoutSeconds)
        mqttConnectTimeoutSeconds = try value(.mqttConnectTimeoutSeconds, defaults.mqttConnectTimeoutSeconds)
        amqpIdleTimeoutSeconds = try value(.amqpIdleTimeoutSeconds, defaults.amqpIdleTimeoutSeconds)
        connectionsPerAddress = try value(.connectionsPerAddress, defaults.connectionsPerAddress)
        connectionsTotal = try value(.connectionsTotal, defaults.connectionsTotal)
        unauthenticatedRequestsPerSecond = try value(.unauthenticatedRequestsPerSecond, defaults.unauthenticatedRequestsPerSecond)
        unauthenticatedBurst = try value(.unauthenticatedBurst, defaults.unauthenticatedBurst)
        tpmChallengesPerRegistration = try value(.tpmChallengesPerRegistration, defaults.tpmChallengesPerRegistration)
        tpmChallengesPerAddress = try value(.tpmChallengesPerAddress, defaults.tpmChallengesPerAddress)
        tpmChallengesTotal = try value(.tpmChallengesTotal, defaults.tpmChallengesTotal)
        uncommittedMessagesPerConnection = try value(.uncommittedMessagesPerConnection, defaults.uncommittedMessagesPerConnection)
        uncommittedBytesPerConnection = try value(.uncommittedBytesPerConnection, defaults.uncommittedBytesPerConnection)
        uncommittedBytesTotal = try value(.uncommittedBytesTotal, defaults.uncommittedBytesTotal)
        configurationMetricsIntervalSeconds = try value(.configurationMetricsIntervalSeconds, defaults.configurationMetricsIntervalSeconds)
    }

    /// Checks every bound's range and that the per-address bounds fit in the totals.
    func validate() throws {
        for bound in bounds where !bound.range.contains(bound.value) {
            throw ConfigurationError("limits.\(bound.key.stringValue) must be between \(bound.range.lowerBound) and \(bound.range.upperBound), not \(bound.value)")
        }
        guard connectionsPerAddress <= connectionsTotal else {
            throw ConfigurationError("limits.connectionsPerAddress must not exceed limits.connectionsTotal")
        }
        guard tpmChallengesPerAddress <= tpmChallengesPerRegistration else {
            throw ConfigurationError("limits.tpmChallengesPerAddress must not exceed limits.tpmChallengesPerRegistration")
        }
        guard unauthenticatedRequestsPerSecond <= unauthenticatedBurst else {
            throw ConfigurationError("limits.unauthenticatedBurst must be at least limits.unauthenticatedRequestsPerSecond")
        }
    }

    /// The listeners' bounds, sharing one connection limiter over the whole process.
    func listenerLimits() -> ListenerLimits {
        ListenerLimits(connections: ConnectionLimiter(perAddress: connectionsPerAddress, total: connectionsTotal),
                       tlsHandshakeTimeout: .seconds(Int64(tlsHandshakeTimeoutSeconds)),
                       requestHeadTimeout: .seconds(Int64(requestHeadTimeoutSeconds)),
                       idleTimeout: .seconds(Int64(idleTimeoutSeconds)))
    }

    /// The telemetry back-pressure bounds shared by every MQTT listener.
    func telemetryBudget() -> UncommittedTelemetryBudget {
        UncommittedTelemetryBudget(messagesPerConnection: uncommittedMessagesPerConnection,
                                   bytesPerConnection: uncommittedBytesPerConnection, totalBytes: uncommittedBytesTotal)
    }

    /// The per-address limiter for unauthenticated work.
    func unauthenticatedLimiter() -> SourceRateLimiter {
        SourceRateLimiter(ratePerSecond: Double(unauthenticatedRequestsPerSecond), burst: Double(unauthenticatedBurst))
    }
}
