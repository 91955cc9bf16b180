import Foundation
import MQTTCodec
import NIOCore
import NIOHTTP1
import NIOSSL

/// Direct methods end to end: devices answer `$iothub/methods/POST/…` on their MQTT connection while REST callers
/// (`POST /twins/{id}/methods` with an `iothubowner` token, keep-alive) time each call until its 200.
enum DirectMethodLoad {
    /// Measured, or why not.
    enum Outcome: Sendable {
        case measured(ConcurrentLoad.Result)
        case unavailable(String)
    }

    static let apiVersion = "2021-04-12"

    static func run(devices: [ProvisionedDevice], calls: Int, callers: Int, shard: ServerConnection.Hub, tls: NIOSSLContext,
                    serverPID: Int32?) async throws -> Outcome {
        let credential = try ServiceCredential(connectionString: shard.serviceConnectionString)
        let ready = StartGate(expected: devices.count + 1)
        return try await withThrowingTaskGroup(of: Void.self) { group -> Outcome in
            for device in devices {
                group.addTask { await respond(as: device, tls: tls, ready: ready) }
            }
            await ready.arrive()
            let outcome = try await call(devices: devices, calls: calls, callers: callers, shard: shard, credential: credential,
                                         tls: tls, serverPID: serverPID)
            group.cancelAll()
            try await group.waitForAll()
            return outcome
        }
    }

    /// A device that answers every method with 200 until its task is cancelled.
    private static func respond(as device: ProvisionedDevice, tls: NIOSSLContext, ready: StartGate) async {
        var arrived = false
        do {
            try await MQTTClientSession.with(host: device.hub.hostName, port: device.hub.mqttPort, tls: tls,
                                             readTimeout: .seconds(600)) { session in
                try await session.connect(DeviceProvisioner.hubConnect(device))
                try await session.subscribe(["$iothub/methods/POST/#"])
                arrived = true
                await ready.arrive()
                let prefix = "$iothub/methods/POST/"
                while !Task.isCancelled {
                    let publish = try await session.nextPublish()
                    guard publish.topic.hasPrefix(prefix), let query = publish.topic.split(separator: "?", maxSplits: 1).last,
                          let rid = query.split(separator: "&").first(where: { $0.hasPrefix("$rid=") })?.dropFirst(5)
                    else { continue }
                    try await session.send(.publish(MQTTPublish(
                        topic: "$iothub/methods/res/200/?$rid=\(rid)", payload: ByteBuffer(string: #"{"ok":true}"#), qos: .atMostOnce)))
                }
            }
        } catch {
            if !Task.isCancelled { progress("method responder \(device.deviceId) ended: \(error)") }
        }
        if !arrived { await ready.arrive() }
    }

    private static func call(devices: [ProvisionedDevice], calls: Int, callers: Int, shard: ServerConnection.Hub,
                             credential: ServiceCredential, tls: NIOSSLContext, serverPID: Int32?) async throws -> Outcome {
        let token = credential.token()
        let probe = try await HTTPSConnection.open(host: shard.hostName, port: shard.httpsPort, tls: tls)
        let first = try await invoke(over: probe, deviceId: devices[0].deviceId, token: token, sequence: 0)
        await probe.close()
        if first.status == 404, first.headers.first(name: "iothub-errorcode") == nil {
            return .unavailable("POST /twins/{id}/methods answered 404 without an IoT Hub error code: the hub service API has no method route")
        }
        guard first.status == 200 else {
            throw BenchmarkError("the first direct method answered HTTP \(first.status): \(first.text.prefix(300))")
        }
        let result = try await ConcurrentLoad.runOperations(
            count: calls, concurrency: callers, serverPID: serverPID,
            makeContext: { try await HTTPSConnection.open(host: shard.hostName, port: shard.httpsPort, tls: tls) },
            closeContext: { await $0.close() },
            operation: { https, index in
                let start = ContinuousClock.now
                let reply = try await invoke(over: https, deviceId: devices[index % devices.count].deviceId, token: token, sequence: index)
                guard reply.status == 200 else { throw BenchmarkError("direct method answered HTTP \(reply.status): \(reply.text.prefix(200))") }
                return ContinuousClock.now - start
            })
        return .measured(result)
    }

    private static func invoke(over https: HTTPSConnection, deviceId: String, token: String, sequence: Int) async throws -> HTTPReply {
        try await https.send(.POST, "/twins/\(deviceId)/methods?api-version=\(apiVersion)", headers: [("Authorization", token)],
                             json: #"{"methodName":"benchPing","payload":{"n":\#(sequence)},"responseTimeoutInSeconds":30,"connectTimeoutInSeconds":0}"#)
    }
}
