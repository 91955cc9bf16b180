import Foundation
import MQTTCodec
import NIOCore
import NIOSSL

/// DPS registration over MQTT the way the Azure device SDK does it, on a fresh connection per device: CONNECT,
/// SUBSCRIBE to the reply topic, PUBLISH register, then poll the operation at once (no retry-after wait).
enum MQTTRegistration {
    static let apiVersion = "2019-03-31"

    /// Registers one device on its own connection.
    static func register(host: String, port: Int, tls: NIOSSLContext, idScope: String, registrationId: String,
                         token: String) async throws -> RegistrationTiming {
        let deviceStart = ContinuousClock.now
        return try await MQTTClientSession.with(host: host, port: port, tls: tls, readTimeout: .seconds(30)) { session in
            try await session.connect(MQTTConnect(
                cleanSession: false, keepAliveSeconds: 60, clientIdentifier: registrationId,
                username: "\(idScope)/registrations/\(registrationId)/api-version=\(apiVersion)", password: Array(token.utf8)))
            try await session.subscribe(["$dps/registrations/res/#"])
            var throttled = 0
            var requestId = 0
            var packetIdentifier: UInt16 = 1
            while true {
                let start = ContinuousClock.now
                requestId += 1
                packetIdentifier += 1
                try await session.send(.publish(MQTTPublish(
                    topic: "$dps/registrations/PUT/iotdps-register/?$rid=\(requestId)",
                    payload: ByteBuffer(string: #"{"registrationId":"\#(registrationId)"}"#),
                    qos: .atLeastOnce, packetIdentifier: packetIdentifier)))
                var reply = try await awaitReply(&session, requestId: requestId)
                if reply.status == 429 {
                    throttled += 1
                    try await Task.sleep(for: .seconds(reply.retryAfter ?? 1))
                    continue
                }
                guard reply.status == 202 || reply.status == 200 else {
                    throw BenchmarkError("register answered \(reply.status): \(String(buffer: reply.body).prefix(200))")
                }
                var status = try JSONDecoder().decode(RegistrationStatusBody.self, from: Data(reply.body.readableBytesView))
                var polls = 0
                while status.status == "assigning" {
                    guard let operationId = status.operationId else { throw BenchmarkError("202 register reply without operationId") }
                    if polls >= 3 { try await Task.sleep(for: .milliseconds(50)) }
                    polls += 1
                    requestId += 1
                    packetIdentifier += 1
                    try await session.send(.publish(MQTTPublish(
                        topic: "$dps/registrations/GET/iotdps-get-operationstatus/?$rid=\(requestId)&operationId=\(operationId)",
                        payload: ByteBuffer(), qos: .atLeastOnce, packetIdentifier: packetIdentifier)))
                    reply = try await awaitReply(&session, requestId: requestId)
                    guard reply.status == 200 || reply.status == 202 else {
                        throw BenchmarkError("operation status answered \(reply.status): \(String(buffer: reply.body).prefix(200))")
                    }
                    status = try JSONDecoder().decode(RegistrationStatusBody.self, from: Data(reply.body.readableBytesView))
                }
                let end = ContinuousClock.now
                try? await session.send(.disconnect)
                return try HTTPSRegistration.timing(status, registrationId: registrationId, start: start, end: end,
                                                    deviceStart: deviceStart, throttled: throttled)
            }
        }
    }

    /// A reply on `$dps/registrations/res/{status}/?$rid={rid}[&retry-after=n]`.
    struct Reply {
        var status: Int
        var retryAfter: Int?
        var body: ByteBuffer
    }

    private static func awaitReply(_ session: inout MQTTClientSession, requestId: Int) async throws -> Reply {
        let prefix = "$dps/registrations/res/"
        while true {
            let publish = try await session.nextPublish()
            guard publish.topic.hasPrefix(prefix) else { continue }
            let rest = publish.topic.dropFirst(prefix.count)
            let parts = rest.split(separator: "?", maxSplits: 1)
            guard parts.count == 2, let status = Int(parts[0].dropLast()) else { continue }
            var rid: String?
            var retryAfter: Int?
            for pair in parts[1].split(separator: "&") {
                if pair.hasPrefix("$rid=") { rid = String(pair.dropFirst(5)) }
                if pair.hasPrefix("retry-after=") { retryAfter = Int(pair.dropFirst(12)) }
            }
            guard rid == String(requestId) else { continue }
            return Reply(status: status, retryAfter: retryAfter, body: publish.payload)
        }
    }
}
