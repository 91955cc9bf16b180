import Foundation
import Hub
import Logging
import MQTTCodec
import NIOCore
import Provisioning

/// One connected device's hub session: telemetry, twin requests, direct methods and C2D delivery, confined to the
/// device's own topics. Subscriptions outlive the connection (persistent session).
actor HubDeviceSession: MQTTSession, HubDeviceConnection {
    let shard: HubShard
    let deviceId: String
    let moduleId: String?
    let clientId: String
    let authMethod: String
    let outbound: MQTTOutbound
    let directory: HubConnectionDirectory
    /// Its entry in the session registry, which closes it when its credential lapses.
    let registration: AuthorizedSessionRegistry.Registration
    let logger: Logger
    private var subscriptions: Set<HubSubscription>
    private var nextPacketIdentifier: UInt16 = 0
    private var inFlight: (packetIdentifier: UInt16, message: CloudToDeviceMessage)?
    private var pendingMethods: [String: CheckedContinuation<DirectMethodResponse?, any Error>] = [:]
    private var methodRequestsInFlight: Set<String> = []
    private var earlyMethodResponses: [String: DirectMethodResponse] = [:]
    private var isOpen = true
    /// The device's telemetry, taken on the event loop.
    nonisolated let publishFastPath: (any MQTTPublishFastPath)?

    init(shard: HubShard, deviceId: String, moduleId: String?, authMethod: String, subscriptions: Set<HubSubscription>,
         outbound: MQTTOutbound, directory: HubConnectionDirectory, registration: AuthorizedSessionRegistry.Registration,
         logger: Logger) {
        self.registration = registration
        self.shard = shard
        self.deviceId = deviceId
        self.moduleId = moduleId
        self.clientId = moduleId.map { "\(deviceId)/\($0)" } ?? deviceId
        self.authMethod = authMethod
        self.subscriptions = subscriptions
        self.outbound = outbound
        self.directory = directory
        self.logger = logger
        self.publishFastPath = HubTelemetryFastPath(shard: shard, deviceId: deviceId, moduleId: moduleId, authMethod: authMethod)
    }

    // MARK: Client packets

    func publish(_ message: MQTTPublish) async throws {
        guard let topic = HubTopic(message.topic) else {
            throw HubSessionError("publish to a topic this device may not use: \(message.topic)")
        }
        let body = Array(message.payload.readableBytesView)
        switch topic {
        case .telemetry(let device, let module, let bag):
            guard device == deviceId, module == moduleId else {
                throw HubSessionError("publish on another device's telemetry topic")
            }
            let properties = try MessagePropertyBag(parsing: bag)
            _ = try await shard.receiveTelemetry(deviceId: deviceId, moduleId: moduleId, authMethod: authMethod,
                                                 properties: properties, body: body)
        case .twinGet(let requestId):
            do {
                let document = try await shard.deviceTwinProperties(deviceId: deviceId, moduleId: moduleId)
                try await send(topic: HubTopic.twinResponse(status: 200, requestId: requestId), body: try JSONEncoder().encode(document))
            } catch let error as HubError {
                try await send(topic: HubTopic.twinResponse(status: error.status, requestId: requestId), body: Data())
            }
        case .twinPatchReported(let requestId):
            do {
                let patch = try JSONDecoder().decode(JSONValue.self, from: Data(body))
                let version = try await shard.patchReportedProperties(deviceId: deviceId, moduleId: moduleId, patch: patch)
                try await send(topic: HubTopic.twinResponse(status: 204, requestId: requestId, version: version), body: Data())
            } catch let error as HubError {
                try await send(topic: HubTopic.twinResponse(status: error.status, requestId: requestId), body: Data())
            } catch is DecodingError {
                try await send(topic: HubTopic.twinResponse(status: 400, requestId: requestId), body: Data())
            }
        case .methodResponse(let status, let requestId):
            let payload = body.isEmpty ? nil : try? JSONDecoder().decode(JSONValue.self, from: Data(body))
            methodResponded(requestId: requestId, response: DirectMethodResponse(status: status, payload: payload))
        }
    }

    func subscribe(_ requested: [MQTTSubscription]) async -> [MQTTSubAckReturnCode] {
        var codes: [MQTTSubAckReturnCode] = []
        for subscription in requested {
            guard let kind = HubSubscription(filter: subscription.topicFilter, deviceId: deviceId, moduleId: moduleId) else {
                codes.append(.failure)
                continue
            }
            subscriptions.insert(kind)
            codes.append(.granted(subscription.qos == .atMostOnce ? .atMostOnce : .atLeastOnce))
        }
        directory.saveSubscriptions(subscriptions, shard: shard.name, clientId: clientId)
        return codes
    }

    func connected() async {
        directory.register(self, shard: shard.name, clientId: clientId)
        await deliverCloudToDevice()
    }

    func subscriptionsAcknowledged() async {
        await deliverCloudToDevice()
    }

    func unsubscribe(_ topicFilters: [String]) async {
        for filter in topicFilters {
            if let kind = HubSubscription(filter: filter, deviceId: deviceId, moduleId: moduleId) { subscriptions.remove(kind) }
        }
        directory.saveSubscriptions(subscriptions, shard: shard.name, clientId: clientId)
    }

    func acknowledged(packetIdentifier: UInt16) async {
        guard let current = inFlight, current.packetIdentifier == packetIdentifier else { return }
        inFlight = nil
        do {
            try await shard.completeCloudToDevice(current.message)
        } catch {
            logger.error("cannot complete a C2D message", metadata: ["hub.error": "\(error)"])
        }
        await deliverCloudToDevice()
    }

    func closed() async {
        isOpen = false
        directory.sessions.unregister(registration)
        directory.unregister(self, shard: shard.name, clientId: clientId)
        for (_, continuation) in pendingMethods { continuation.resume(throwing: HubError.deviceNotOnline(deviceId)) }
        pendingMethods = [:]
    }

    // MARK: Server-initiated

    /// Sends the oldest pending C2D message if none is in flight (one at a time keeps the order).
    func deliverCloudToDevice() async {
        guard isOpen, inFlight == nil, subscriptions.contains(.cloudToDevice), moduleId == nil else { return }
        do {
            while let message = try await shard.deliverableCloudToDevice(deviceId: deviceId).first {
                guard try await shard.beginDelivery(message) else { continue }
                let packetIdentifier = nextIdentifier()
                inFlight = (packetIdentifier, message)
                try await outbound.send(.publish(MQTTPublish(
                    topic: HubTopic.cloudToDevice(deviceId: deviceId, propertyBag: Self.propertyBag(message)),
                    payload: ByteBuffer(bytes: message.body), qos: .atLeastOnce, retain: false, duplicate: message.deliveryCount > 0,
                    packetIdentifier: packetIdentifier)))
                return
            }
        } catch {
            logger.error("C2D delivery failed", metadata: ["hub.error": "\(error)"])
        }
    }

    func pushDesiredPatch(_ patch: JSONValue) async {
        guard isOpen, subscriptions.contains(.desiredPatches), case .number(let version)? = patch["$version"] else { return }
        try? await send(topic: HubTopic.desiredPatch(version: Int(version)), body: try JSONEncoder().encode(patch))
    }

    func invokeMethod(_ request: DirectMethodRequest) async throws -> DirectMethodResponse {
        guard isOpen, subscriptions.contains(.methods) else { throw HubError.deviceNotOnline(deviceId) }
        let requestId = String(UInt64.random(in: 1...UInt64.max), radix: 16)
        let body = try request.payload.map { try JSONEncoder().encode($0) } ?? Data()
        let topic = HubTopic.methodRequest(name: request.methodName, requestId: requestId)
        let timeout = Duration.seconds(request.responseTimeoutInSeconds ?? 30)
        return try await withThrowingTaskGroup(of: DirectMethodResponse?.self) { group in
            group.addTask { try await self.exchange(requestId: requestId, topic: topic, body: body) }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            if let first { return first }
            await self.abandon(requestId: requestId)
            throw HubError.methodTimeout(self.deviceId)
        }
    }

    /// Sends the request and waits for the device's answer. The answer may arrive while the send is still
    /// suspended, so the request id is registered first and an early answer is parked.
    private func exchange(requestId: String, topic: String, body: Data) async throws -> DirectMethodResponse? {
        guard isOpen else { throw HubError.deviceNotOnline(deviceId) }
        methodRequestsInFlight.insert(requestId)
        do {
            try await send(topic: topic, body: body)
        } catch {
            methodRequestsInFlight.remove(requestId)
            throw HubError.deviceNotOnline(deviceId)
        }
        if let early = earlyMethodResponses.removeValue(forKey: requestId) {
            methodRequestsInFlight.remove(requestId)
            return early
        }
        return try await withCheckedThrowingContinuation { continuation in
            pendingMethods[requestId] = continuation
        }
    }

    private func methodResponded(requestId: String, response: DirectMethodResponse) {
        guard methodRequestsInFlight.remove(requestId) != nil else { return }
        if let continuation = pendingMethods.removeValue(forKey: requestId) {
            continuation.resume(returning: response)
        } else {
            earlyMethodResponses[requestId] = response
        }
    }

    private func abandon(requestId: String) {
        methodRequestsInFlight.remove(requestId)
        earlyMethodResponses[requestId] = nil
        pendingMethods.removeValue(forKey: requestId)?.resume(throwing: HubError.methodTimeout(deviceId))
    }

    private func send(topic: String, body: Data) async throws {
        try await outbound.send(.publish(MQTTPublish(topic: topic, payload: ByteBuffer(bytes: body), qos: .atMostOnce,
                                                     retain: false, duplicate: false, packetIdentifier: nil)))
    }

    private func nextIdentifier() -> UInt16 {
        nextPacketIdentifier = nextPacketIdentifier == .max ? 1 : nextPacketIdentifier + 1
        return nextPacketIdentifier
    }

    static func propertyBag(_ message: CloudToDeviceMessage) -> String {
        var system: [String: String] = ["message-id": message.messageId, "to": "/devices/\(message.deviceId)/messages/deviceBound"]
        system["correlation-id"] = message.correlationId
        system["user-id"] = message.userId
        system["content-type"] = message.contentType
        system["content-encoding"] = message.contentEncoding
        system["expiry-time-utc"] = RegistrationTimestamp.string(message.expiryTime)
        var application = message.properties
        if message.ack != .none { application["iothub-ack"] = message.ack.rawValue }
        return MessagePropertyBag(applicationProperties: application, systemProperties: system).encoded
    }
}

/// A device's own telemetry topic, taken on the event loop: the topic must start with the device's (or module's)
/// `…/messages/events/`; a property bag that does not parse or a body over 256 KB goes to the session, which refuses it.
struct HubTelemetryFastPath: MQTTPublishFastPath {
    let shard: HubShard
    let sender: TelemetrySender
    let prefix: [UInt8]

    init(shard: HubShard, deviceId: String, moduleId: String?, authMethod: String) {
        self.shard = shard
        sender = TelemetrySender(deviceId: deviceId, moduleId: moduleId, authMethod: authMethod)
        prefix = Array((moduleId.map { "devices/\(deviceId)/modules/\($0)/messages/events/" } ?? "devices/\(deviceId)/messages/events/").utf8)
    }

    func take(_ publish: MQTTPublish, completion: @escaping @Sendable (Result<Void, any Error>) -> Void) -> Bool {
        guard publish.payload.readableBytes <= TelemetryMessage.maximumBodySize else { return false }
        var topic = publish.topic
        let isOwnTelemetry = topic.withUTF8 { bytes in
            bytes.count >= prefix.count && prefix.withUnsafeBufferPointer { prefix in
                memcmp(bytes.baseAddress!, prefix.baseAddress!, prefix.count) == 0
            }
        }
        guard isOwnTelemetry else { return false }
        let bag = Substring(topic.utf8.dropFirst(prefix.count))
        guard let properties = try? MessagePropertyBag(parsing: bag) else { return false }
        shard.submitTelemetry(from: sender, properties: properties, body: Array(publish.payload.readableBytesView)) { result in
            completion(result.map { _ in () })
        }
        return true
    }
}

/// A device broke the rules of its session; the connection is closed.
struct HubSessionError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
