import Provisioning

/// The DPS endpoint and its provisioning settings.
public struct DPSConfiguration: Codable, Sendable, Equatable {
    /// Addresses and ports.
    public var endpoint: EndpointConfiguration
    /// Policy for enrollments that name none.
    public var defaultAllocationPolicy: AllocationPolicyKind = .hashed
    /// Registrations admitted per second before devices are told to retry (429 + retry-after).
    public var registrationRateLimit: Int = 2000
    /// How long a custom-allocation webhook may take.
    public var customAllocationTimeoutSeconds: Int = 10
    /// Plain-HTTP port for CRLs (`/crl/{ca}.crl`) and OCSP (`/ocsp`) on the DPS listen address; issued
    /// certificates name it in their CRL Distribution Points and Authority Information Access extensions.
    public var pkiHTTPPort: Int = 8080
    /// The TPM attestation policy file (EK certificates; relative to the working directory); nil uses
    /// `Policies/tpm-attestation.yaml` when present.
    public var tpmAttestationPolicy: String?
    /// The certificate issuance policy file (relative to the working directory); nil uses `Policies/issuance.yaml`
    /// when present, else the built-in policy (`device-client`, any allowed key, no SANs, keep on renewal).
    public var issuancePolicy: String?
    /// Who signs OCSP answers about issuing-CA certificates: `delegated` (default) or `ca`.
    public var ocspSigning: OCSPSigningMode = .delegated

    /// Creates the default DPS settings for `hostName`.
    public init(endpoint: EndpointConfiguration) {
        self.endpoint = endpoint
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case hostName, listenAddress, mqttPort, amqpPort, httpsPort, defaultAllocationPolicy, registrationRateLimit, customAllocationTimeoutSeconds
        case pkiHTTPPort
        case tpmAttestationPolicy
        case issuancePolicy
        case ocspSigning
    }

    /// Decodes strictly; endpoint keys sit flat beside the settings.
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        endpoint = try EndpointConfiguration.decodeFlat(
            from: container, hostName: .hostName, listenAddress: .listenAddress, mqttPort: .mqttPort, amqpPort: .amqpPort,
            httpsPort: .httpsPort)
        defaultAllocationPolicy = try container.decodeIfPresent(AllocationPolicyKind.self, forKey: .defaultAllocationPolicy) ?? .hashed
        registrationRateLimit = try container.decodeIfPresent(Int.self, forKey: .registrationRateLimit) ?? 2000
        customAllocationTimeoutSeconds = try container.decodeIfPresent(Int.self, forKey: .customAllocationTimeoutSeconds) ?? 10
        pkiHTTPPort = try container.decodeIfPresent(Int.self, forKey: .pkiHTTPPort) ?? 8080
        tpmAttestationPolicy = try container.decodeIfPresent(String.self, forKey: .tpmAttestationPolicy)
        issuancePolicy = try container.decodeIfPresent(String.self, forKey: .issuancePolicy)
        ocspSigning = try container.decodeIfPresent(OCSPSigningMode.self, forKey: .ocspSigning) ?? .delegated
    }

    /// Encodes flat, mirroring the decoder.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(endpoint.hostName, forKey: .hostName)
        try container.encodeIfPresent(endpoint.listenAddress, forKey: .listenAddress)
        try container.encode(endpoint.mqttPort, forKey: .mqttPort)
        try container.encode(endpoint.amqpPort, forKey: .amqpPort)
        try container.encode(endpoint.httpsPort, forKey: .httpsPort)
        try container.encode(defaultAllocationPolicy, forKey: .defaultAllocationPolicy)
        try container.encode(registrationRateLimit, forKey: .registrationRateLimit)
        try container.encode(customAllocationTimeoutSeconds, forKey: .customAllocationTimeoutSeconds)
        try container.encode(pkiHTTPPort, forKey: .pkiHTTPPort)
        try container.encodeIfPresent(tpmAttestationPolicy, forKey: .tpmAttestationPolicy)
        try container.encodeIfPresent(issuancePolicy, forKey: .issuancePolicy)
        try container.encode(ocspSigning, forKey: .ocspSigning)
    }

    func validate() throws {
        try endpoint.validate(label: "dps")
        guard defaultAllocationPolicy != .custom else {
            throw ConfigurationError("dps.defaultAllocationPolicy cannot be custom (a webhook belongs to an enrollment)")
        }
        guard registrationRateLimit > 0 else { throw ConfigurationError("dps.registrationRateLimit must be positive") }
        guard (1...300).contains(customAllocationTimeoutSeconds) else {
            throw ConfigurationError("dps.customAllocationTimeoutSeconds must be 1–300")
        }
        // A fixed port: certificates carry the URL, so it cannot be picked at start-up.
        guard (1...65535).contains(pkiHTTPPort) else { throw ConfigurationError("dps.pkiHTTPPort must be between 1 and 65535") }
        guard !endpoint.listenerPorts.contains(pkiHTTPPort) else {
            throw ConfigurationError("dps.pkiHTTPPort \(pkiHTTPPort) is already used by another DPS listener")
        }
    }
}
