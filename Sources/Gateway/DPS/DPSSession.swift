import Foundation
import Logging
import MQTTCodec
import NIOCore
import Provisioning

/// One attested device's DPS MQTT session: register and operation-status requests, answered on the reply topic.
/// Each register attests the device again from the credential it connected with; a credential that no longer
/// attests is answered 401 with the reason and the session is closed.
struct DPSSession: MQTTSession {
    let device: AttestedDevice
    let credential: DPSCredential
    /// When the credential expires (the SAS token's `se`; the certificate's notAfter).
    let expiry: Date?
    let attestation: DPSAttestation
    /// The api-version of the CONNECT username (decides whether a CSR may be sent).
    let apiVersion: String?
    let registrations: RegistrationService
    let rateLimiter: RegistrationRateLimiter
    let outbound: MQTTOutbound
    let sessions: AuthorizedSessionRegistry
    let registration: AuthorizedSessionRegistry.Registration
    let logger: Logger

    func publish(_ message: MQTTPublish) async throws {
        guard let request = DPSTopic(message.topic) else {
            logger.info("DPS request on an unknown topic; closing", metadata: ["dps.topic": "\(message.topic)"])
            outbound.close()
            return
        }
        switch request {
        case .register(let requestId):
            try await register(requestId: requestId, body: message.payload)
        case .operationStatus(let requestId, let operationId):
            try await status(requestId: requestId, operationId: operationId)
        }
    }

    func subscribe(_ subscriptions: [MQTTSubscription]) async -> [MQTTSubAckReturnCode] {
        subscriptions.map { $0.topicFilter == DPSTopic.responseFilter ? .granted(min($0.qos, .atLeastOnce)) : .failure }
    }

    func unsubscribe(_ topicFilters: [String]) async {}
    func acknowledged(packetIdentifier: UInt16) async {}
    func closed() async {
        sessions.unregister(registration)
    }

    private func register(requestId: String, body: ByteBuffer) async throws {
        guard let device = try await reattest(requestId: requestId) else { return }
        let request: DeviceRegistrationRequest
        do {
            request = try JSONDecoder().decode(DeviceRegistrationRequest.self, from: Data(body.readableBytesView))
        } catch {
            return try await reply(error: .badRequest("the register body must be JSON {\"registrationId\", \"payload\"}"), requestId: requestId)
        }
        if let id = request.registrationId, id != device.registrationId {
            return try await reply(error: .badRequest("registrationId in the body differs from the connection's"), requestId: requestId)
        }
        let csr: [UInt8]?
        do {
            csr = try request.certificateSigningRequest(apiVersion: apiVersion)
        } catch let error as ProvisioningError {
            return try await reply(error: error, requestId: requestId)
        }
        if let wait = rateLimiter.admit() {
            return try await reply(error: .throttled("registration rate limit reached; retry later"), requestId: requestId, retryAfter: wait)
        }
        let operationId = OperationIdentifier.make()
        do {
            let record = try await registrations.register(device, payload: request.payload, operationId: operationId, csr: csr)
            logger.info("device registered", metadata: [
                "dps.status": "\(record.state.status.rawValue)", "dps.assigned_hub": "\(record.state.assignedHub ?? "-")",
            ])
            try await send(status: 202, requestId: requestId, retryAfter: 1,
                           body: RegistrationOperationStatus(operationId: operationId, status: .assigning))
        } catch let error as ProvisioningError {
            try await reply(error: error, requestId: requestId)
        } catch {
            logger.error("registration failed", metadata: ["dps.error": "\(error)"])
            try await reply(error: .internalError(), requestId: requestId, retryAfter: 5)
        }
    }

    /// The device attested again, or nil once the refusal was sent (and, for a lapsed credential, the session closed).
    private func reattest(requestId: String) async throws -> AttestedDevice? {
        do {
            return try await attestation.reattest(device, credential: credential, expiry: expiry)
        } catch let error as ProvisioningError where error.status == 401 {
            logger.notice("register refused on an open session: its credential lapsed", metadata: ["dps.reason": "\(error.message)"])
            try await reply(error: error, requestId: requestId)
            outbound.close()
        } catch let error as ProvisioningError {
            try await reply(error: error, requestId: requestId)
        } catch {
            logger.error("re-attestation failed", metadata: ["dps.error": "\(error)"])
            try await reply(error: .internalError(), requestId: requestId, retryAfter: 5)
        }
        return nil
    }

    private func status(requestId: String, operationId: String) async throws {
        do {
            let status = try await registrations.operationStatus(operationId: operationId, registrationId: device.registrationId)
            if status.status == .assigning {
                try await send(status: 202, requestId: requestId, retryAfter: 1, body: status)
            } else {
                try await send(status: 200, requestId: requestId, retryAfter: nil, body: status)
            }
        } catch let error as ProvisioningError {
            try await reply(error: error, requestId: requestId)
        } catch {
            logger.error("operation status failed", metadata: ["dps.error": "\(error)"])
            try await reply(error: .internalError(), requestId: requestId, retryAfter: 5)
        }
    }

    private func reply(error: ProvisioningError, requestId: String, retryAfter: Int? = nil) async throws {
        try await send(status: error.status, requestId: requestId, retryAfter: retryAfter, body: DPSErrorBody(error))
    }

    private func send(status: Int, requestId: String, retryAfter: Int?, body: some Encodable) async throws {
        let data = try JSONEncoder().encode(body)
        try await outbound.send(.publish(MQTTPublish(
            topic: DPSTopic.response(status: status, requestId: requestId, retryAfter: retryAfter),
            payload: ByteBuffer(bytes: data), qos: .atMostOnce, retain: false, duplicate: false, packetIdentifier: nil)))
    }
}

/// DPS's error body (`ProvisioningServiceErrorDetails`).
struct DPSErrorBody: Encodable {
    var errorCode: Int
    var trackingId: String
    var message: String
    var timestampUtc: String

    init(_ error: ProvisioningError) {
        errorCode = error.errorCode
        trackingId = UUID().uuidString.lowercased()
        message = error.message
        timestampUtc = RegistrationTimestamp.string(Date())
    }
}

/// Operation ids in Azure's shape: `{version}.{16 hex}.{uuid}`.
enum OperationIdentifier {
    static func make() -> String {
        let hex = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        return "5.\(String(repeating: "0", count: 16 - hex.count))\(hex).\(UUID().uuidString.lowercased())"
    }
}

extension MQTTQoS: Comparable {
    /// Orders by level.
    public static func < (lhs: MQTTQoS, rhs: MQTTQoS) -> Bool { lhs.rawValue < rhs.rawValue }
}
