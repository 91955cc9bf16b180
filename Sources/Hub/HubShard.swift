import Foundation
import Provisioning
import AccessControl

/// One bundled IoT hub shard: device authentication, telemetry intake, twins, direct methods and C2D.
/// Storage and device connections come in through seams, so the same code runs in-process or split.
public struct HubShard: Sendable {
    /// Shard name (`hub-1`).
    public let name: String
    /// Host name devices dial and SAS tokens are scoped to.
    public let hostName: String
    let registry: any DeviceRegistry
    let moduleRegistry: (any ModuleRegistry)?
    let cloudToDevice: any CloudToDeviceStore
    /// C2D sends share commits.
    let cloudToDeviceIntake: CloudToDeviceIntake
    let fileNotifications: (any FileNotificationStore)?
    let telemetry: TelemetryBatcher
    let notifier: any HubNotifier
    /// Peek-locks of polled C2D messages, shared by every copy of this shard value.
    let cloudToDeviceLocks = CloudToDeviceLocks()
    let now: @Sendable () -> Date
    /// Twin read-modify-write cycles of one device run one at a time.
    let twinLocks = KeyedLock()
    /// Scheduled jobs (jobs v2); nil when the shard's storage keeps none.
    let jobStore: (any DeviceJobStore)?
    /// Wakes the shard's job runner when a job is created or cancelled.
    let jobWakeup = JobWakeup()

    /// Automatic device configurations; nil when the shard's storage keeps none.
    let configurationStore: (any ConfigurationStore)?
    /// Twins the configuration convergence still has to look at.
    public let configurationWork = ConfigurationWork()
    /// Import and export jobs; nil when the shard's storage keeps none.
    let importExportStore: (any ImportExportJobStore)?
    /// Wakes the shard's import and export runner when a job is created or cancelled.
    let importExportWakeup = JobWakeup()

    /// Creates a shard.
    public init(name: String, hostName: String, registry: any DeviceRegistry, cloudToDevice: any CloudToDeviceStore,
                telemetry: TelemetryBatcher, notifier: any HubNotifier, modules: (any ModuleRegistry)? = nil,
                fileNotifications: (any FileNotificationStore)? = nil, jobs: (any DeviceJobStore)? = nil,
                configurations: (any ConfigurationStore)? = nil, importExportJobs: (any ImportExportJobStore)? = nil,
                now: @escaping @Sendable () -> Date = Date.init) {
        self.moduleRegistry = modules
        jobStore = jobs
        configurationStore = configurations
        importExportStore = importExportJobs
        self.fileNotifications = fileNotifications
        self.name = name
        self.hostName = hostName
        self.registry = registry
        self.cloudToDevice = cloudToDevice
        cloudToDeviceIntake = CloudToDeviceIntake(store: cloudToDevice)
        self.telemetry = telemetry
        self.notifier = notifier
        self.now = now
    }

    // MARK: Device authentication

    /// Checks a device SAS token (`sr` = `{hostName}/devices/{id}`) against the device's keys; returns the identity.
    public func authenticate(deviceId: String, moduleId: String?, token: String) async throws -> DeviceIdentity {
        var identity = try await enabledDevice(deviceId)
        if let moduleId {
            // Module ids are case-sensitive like device ids: another spelling is another (unregistered) module.
            guard let module = try await moduleRegistry?.module(shard: name, deviceId: deviceId, moduleId: moduleId),
                  module.moduleId == moduleId
            else {
                throw HubError.unauthorized("module \(deviceId)/\(moduleId) is not registered on this hub")
            }
            identity = module
        }
        guard identity.authentication.type == "sas", let keys = identity.authentication.symmetricKey else {
            throw HubError.unauthorized("device \(deviceId) does not use SAS authentication")
        }
        let signature: SharedAccessSignature
        do throws(SecurityError) {
            signature = try SharedAccessSignature(parsing: token)
        } catch {
            throw HubError.unauthorized("malformed SAS token: \(error.message)")
        }
        var scope = "\(hostName)/devices/\(deviceId)"
        if let moduleId { scope += "/modules/\(moduleId)" }
        let parsed = [keys.primaryKey, keys.secondaryKey].compactMap { $0.flatMap { try? SharedAccessKey(base64: $0) } }
        do {
            try signature.validate(keys: parsed, now: now(), requiredScope: scope)
        } catch {
            throw HubError.unauthorized(error.message)
        }
        return identity
    }

    /// The SAS token's expiry, for closing the connection when it passes.
    public static func tokenExpiry(_ token: String) -> Date? {
        (try? SharedAccessSignature(parsing: token)).map { Date(timeIntervalSince1970: TimeInterval($0.expiry)) }
    }

    /// Checks that a device may use a client certificate with this SHA-1 thumbprint (self-signed devices), or that
    /// it is a CA-authenticated device (the caller validated the chain); returns the identity.
    public func authenticate(deviceId: String, certificateThumbprint: String, chainValidated: Bool) async throws -> DeviceIdentity {
        let identity = try await enabledDevice(deviceId)
        switch identity.authentication.type {
        case "selfSigned":
            let allowed = [identity.authentication.x509Thumbprint?.primaryThumbprint, identity.authentication.x509Thumbprint?.secondaryThumbprint]
                .compactMap { $0?.uppercased() }
            guard allowed.contains(certificateThumbprint.uppercased()) else {
                throw HubError.unauthorized("the certificate thumbprint is not registered for \(deviceId)")
            }
        case "certificateAuthority":
            guard chainValidated else { throw HubError.unauthorized("the certificate chain is not trusted") }
        default:
            throw HubError.unauthorized("device \(deviceId) does not use X.509 authentication")
        }
        return identity
    }

    /// The registry finds ids case-insensitively, but IoT Hub device ids are case-sensitive: a device authenticates
    /// only under its canonical spelling, so its session carries the id that disable, delete and re-key act on.
    private func enabledDevice(_ deviceId: String) async throws -> DeviceIdentity {
        guard let identity = try await registry.device(shard: name, deviceId: deviceId), identity.deviceId == deviceId else {
            throw HubError.unauthorized("device \(deviceId) is not registered on this hub")
        }
        guard identity.status == "enabled" else { throw HubError.unauthorized("device \(deviceId) is disabled") }
        return identity
    }

    // MARK: Telemetry

    /// Stores a device message durably (group commit) and returns its sequence number.
    public func receiveTelemetry(deviceId: String, moduleId: String?, authMethod: String, properties: MessagePropertyBag,
                                 body: [UInt8]) async throws -> Int64 {
        guard body.count <= TelemetryMessage.maximumBodySize else {
            throw HubError.tooLarge("a message body may be at most 256 KB")
        }
        let sender = TelemetrySender(deviceId: deviceId, moduleId: moduleId, authMethod: authMethod)
        return try await telemetry.record(telemetryMessage(from: sender, properties: properties, body: body))
    }

    /// Queues a device message for the next group commit without waiting; `completion` runs once it is durable (or
    /// could not be stored). The caller checked the body size against `TelemetryMessage.maximumBodySize`.
    public func submitTelemetry(from sender: TelemetrySender, properties: MessagePropertyBag, body: [UInt8],
                                completion: @escaping TelemetryBatcher.Completion) {
        telemetry.submit(telemetryMessage(from: sender, properties: properties, body: body), completion: completion)
    }

    /// The message as stored: the device's properties plus the connection and enqueue system properties (these win
    /// over a device's own property of the same name).
    private func telemetryMessage(from sender: TelemetrySender, properties: MessagePropertyBag, body: [UInt8]) -> TelemetryMessage {
        let enqueued = now()
        var system = sender.systemProperties
        for (key, value) in properties.systemProperties where system[key] == nil { system[key] = value }
        system["iothub-enqueuedtime"] = RegistrationTimestamp.string(enqueued)
        return TelemetryMessage(shard: name, deviceId: sender.deviceId, moduleId: sender.moduleId, enqueuedTime: enqueued, body: body,
                                properties: properties.applicationProperties, systemProperties: system)
    }

    // MARK: Direct methods

    /// Calls a method on the connected device.
    public func invokeMethod(deviceId: String, moduleId: String?, request: DirectMethodRequest) async throws -> DirectMethodResponse {
        try request.validate()
        _ = try await identity(deviceId, moduleId)
        return try await notifier.invokeMethod(shard: name, deviceId: deviceId, moduleId: moduleId, request: request)
    }

    // MARK: Shared helpers

    /// The device or `HubError.deviceNotFound`.
    public func device(_ deviceId: String) async throws -> DeviceIdentity {
        guard let identity = try await registry.device(shard: name, deviceId: deviceId) else { throw HubError.deviceNotFound(deviceId) }
        return identity
    }

    func twin(_ deviceId: String) async throws -> DeviceTwin {
        guard let twin = try await registry.twin(shard: name, deviceId: deviceId) else { throw HubError.deviceNotFound(deviceId) }
        return twin
    }

    /// `If-Match` rules: absent or `*` always match; quotes around either side are ignored.
    public static func check(ifMatch: String?, etag: String) throws(HubError) {
        guard let ifMatch else { return }
        let wanted = ifMatch.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        guard wanted == "*" || wanted == etag.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) else {
            throw .preconditionFailed("the etag does not match")
        }
    }

    /// A fresh etag.
    public static func newETag() -> String {
        Data(UUID().uuidString.utf8).base64EncodedString()
    }
}

/// A connected device (or module) sending telemetry, with the system properties every one of its messages carries,
/// worked out once per connection.
public struct TelemetrySender: Sendable {
    /// The device.
    public let deviceId: String
    /// The module, if a module is sending.
    public let moduleId: String?
    let systemProperties: [String: String]

    /// Creates a sender authenticated by `authMethod`.
    public init(deviceId: String, moduleId: String?, authMethod: String) {
        self.deviceId = deviceId
        self.moduleId = moduleId
        var system = ["iothub-connection-device-id": deviceId, "iothub-connection-auth-method": authMethod,
                      "iothub-message-source": "Telemetry"]
        if let moduleId { system["iothub-connection-module-id"] = moduleId }
        systemProperties = system
    }
}
