import Foundation
import Hub
import Hummingbird
import HTTPTypes

/// One shard's IoT Hub device HTTPS API, as the C, C# and Python device SDKs call it: telemetry (single and batch),
/// C2D polling with complete, reject and abandon under a peek-lock, and file upload. A device reaches only its own
/// paths; any `api-version` is accepted. Errors render IoT Hub-style through `HubErrorMiddleware`.
public enum HubDeviceRoutes {
    /// The batch content type.
    static let batchContentType = "application/vnd.microsoft.iothub.json"
    /// Largest total body of a telemetry request: one message's limit, or a batch's (IoT Hub's 256 KB either way).
    static let maximumTelemetryBytes = TelemetryMessage.maximumBodySize
    /// Most messages in one batch (each becomes a concurrent commit waiter).
    static let maximumBatchMessages = 500

    /// Adds the routes; with `fileUploads`, also `devices/{id}/files` and the Blob REST API its SAS tokens open
    /// (`hostNames`: the shard's HTTPS names, the default first).
    public static func add(to router: Router<ProvisioRequestContext>, shard: HubShard, credentials: HubDeviceCredentialCheck,
                           fileUploads: FileUploads? = nil, hostNames: [String] = []) {
        let routes = router.group().add(middleware: HubErrorMiddleware())
        let authenticator = DeviceRequestAuthenticator(credentials: credentials)
        addTelemetryRoutes(to: routes, shard: shard, authenticator: authenticator)
        addCloudToDeviceRoutes(to: routes, shard: shard, authenticator: authenticator)
        if let fileUploads {
            addFileRoutes(to: routes, uploads: fileUploads, hostNames: hostNames, authenticator: authenticator)
            BlobRoutes.add(to: router, uploads: fileUploads)
        }
    }

    static func addTelemetryRoutes(to routes: RouterGroup<ProvisioRequestContext>, shard: HubShard, authenticator: DeviceRequestAuthenticator) {
        routes.post("devices/:id/messages/events") { request, context -> Response in
            try await receiveTelemetry(request, context: context, deviceId: try context.decodedParameter("id"), moduleId: nil,
                                       shard: shard, authenticator: authenticator)
        }
        // A module sends with its own SAS token (`sr={host}/devices/{id}/modules/{m}`).
        routes.post("devices/:id/modules/:module/messages/events") { request, context -> Response in
            try await receiveTelemetry(request, context: context, deviceId: try context.decodedParameter("id"),
                                       moduleId: try context.decodedParameter("module"), shard: shard, authenticator: authenticator)
        }
    }

    /// One telemetry request: a single message (properties in headers) or a batch; 204 once every message is durable.
    private static func receiveTelemetry(_ request: Request, context: ProvisioRequestContext, deviceId id: String, moduleId: String?,
                                         shard: HubShard, authenticator: DeviceRequestAuthenticator) async throws -> Response {
        let admission = try await authenticator.admit(request, context: context, deviceId: id, moduleId: moduleId)
        // Base64 batches are a third larger than the bytes they carry.
        let buffer = try await request.body.collect(upTo: maximumTelemetryBytes * 2)
        let body = Array(buffer.readableBytesView)
        let messages: [(MessagePropertyBag, [UInt8])]
        if request.headers[.contentType]?.lowercased().hasPrefix(batchContentType) == true {
            let items = try ServiceJSON.decode([DeviceMessageBatchItem].self, from: Data(body))
            guard (1...maximumBatchMessages).contains(items.count) else {
                throw HubError.badRequest("a batch holds 1 to \(maximumBatchMessages) messages")
            }
            messages = try items.map { (try DeviceMessageHeaders.properties($0.properties ?? [:]), try $0.bodyBytes()) }
        } else {
            messages = [(try DeviceMessageHeaders.properties(request.headers), body)]
        }
        guard messages.reduce(0, { $0 + $1.1.count }) <= maximumTelemetryBytes else {
            throw HubError.tooLarge("a telemetry request may carry at most 256 KB of message bodies")
        }
        // All messages join the same group commit; 204 only once every one is durable.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (properties, body) in messages {
                group.addTask {
                    _ = try await shard.receiveTelemetry(deviceId: id, moduleId: moduleId, authMethod: admission.authMethod,
                                                         properties: properties, body: body)
                }
            }
            try await group.waitForAll()
        }
        return Response(status: .noContent)
    }

    static func addCloudToDeviceRoutes(to routes: RouterGroup<ProvisioRequestContext>, shard: HubShard,
                                       authenticator: DeviceRequestAuthenticator) {
        // The C SDK writes `devicebound`, C# `deviceBound`.
        for spelling in ["deviceBound", "devicebound"] {
            routes.get("devices/:id/messages/\(spelling)") { request, context -> Response in
                let id = try context.decodedParameter("id")
                _ = try await authenticator.admit(request, context: context, deviceId: id)
                let timeout = try HubServiceRoutes.integer(request.uri.queryParameters["iothub-messagelocktimeout"],
                                                           name: "iothub-messagelocktimeout")
                guard let locked = try await shard.lockCloudToDevice(
                    deviceId: id, duration: timeout.map(TimeInterval.init) ?? HubShard.cloudToDeviceLockDuration)
                else { return Response(status: .noContent) }
                return Response(status: .ok, headers: DeviceMessageHeaders.headers(for: locked),
                                body: .init(byteBuffer: ByteBuffer(bytes: locked.message.body)))
            }
            routes.delete("devices/:id/messages/\(spelling)/:etag") { request, context -> Response in
                let id = try context.decodedParameter("id")
                _ = try await authenticator.admit(request, context: context, deviceId: id)
                let token = try lockToken(context)
                if queryHasKey(request, "reject") {
                    try await shard.rejectCloudToDevice(deviceId: id, lockToken: token)
                } else {
                    try await shard.completeCloudToDevice(deviceId: id, lockToken: token)
                }
                return Response(status: .noContent)
            }
            routes.post("devices/:id/messages/\(spelling)/:etag/abandon") { request, context -> Response in
                let id = try context.decodedParameter("id")
                _ = try await authenticator.admit(request, context: context, deviceId: id)
                try await shard.abandonCloudToDevice(deviceId: id, lockToken: try lockToken(context))
                return Response(status: .noContent)
            }
        }
    }

    /// The lock token of the path, without the quotes an ETag may keep.
    static func lockToken(_ context: ProvisioRequestContext) throws -> String {
        try context.decodedParameter("etag").trimmingCharacters(in: CharacterSet(charactersIn: "\""))
    }

    /// Whether the query names `key`, with or without a value (`?reject`, `?reject=`).
    static func queryHasKey(_ request: Request, _ key: String) -> Bool {
        guard let query = request.uri.query else { return false }
        return query.split(separator: "&").contains { $0.split(separator: "=", maxSplits: 1).first.map(String.init) == key }
    }
}
