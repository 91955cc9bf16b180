import Foundation
import Hub
import Logging
import MQTTCodec
import NIOCore
import NIOSSL
import PKI
import Provisioning
import SwiftASN1
import X509

/// Admits devices to one shard: username `{hostName}/{deviceId}[/{moduleId}]/?…`, client id `{deviceId}[/{moduleId}]`,
/// and a SAS password or a TLS client certificate. Unknown, disabled or other-shard devices get CONNACK 5.
public struct HubConnectAuthenticator: MQTTConnectAuthenticator {
    let shard: HubShard
    let directory: HubConnectionDirectory
    let logger: Logger
    /// The credential check shared with the HTTPS device API.
    public let credentials: HubDeviceCredentialCheck

    /// Creates the authenticator; `validateChain` says whether a certificate chain is trusted for CA-authenticated devices,
    /// and `enrollmentStatus` (when given) refuses devices whose DPS enrollment or group is disabled.
    public init(shard: HubShard, directory: HubConnectionDirectory, logger: Logger,
                enrollmentStatus: (any DeviceEnrollmentStatus)? = nil,
                validateChain: @escaping @Sendable ([Certificate]) async -> Bool) {
        self.shard = shard
        self.directory = directory
        self.logger = logger
        credentials = HubDeviceCredentialCheck(shard: shard, enrollmentStatus: enrollmentStatus, validateChain: validateChain)
    }

    /// Authenticates and builds the device's session. The session is in the registry before its credentials are read,
    /// so a disable, delete, re-key or revocation committed meanwhile still closes it; a refusal takes it out again.
    public func authenticate(_ request: MQTTConnectRequest) async -> MQTTConnectDecision {
        let connect = request.connect
        guard let username = connect.username, let identity = Self.identity(username: username) else {
            return .refuse(.notAuthorized, reason: "username is not {hub}/{deviceId}/?api-version=…")
        }
        guard identity.host.caseInsensitiveCompare(shard.hostName) == .orderedSame else {
            return .refuse(.notAuthorized, reason: "the username names hub \(identity.host), not this shard")
        }
        let clientId = identity.moduleId.map { "\(identity.deviceId)/\($0)" } ?? identity.deviceId
        guard clientId == connect.clientIdentifier else {
            return .refuse(.identifierRejected, reason: "client id differs from the device in the username")
        }
        let chain: [Certificate]
        do {
            chain = try request.presentedCertificates.map { try Certificate(derEncoded: $0.toDERBytes()) }
        } catch {
            return .refuse(.notAuthorized, reason: "the client certificate does not parse")
        }
        let binding = SessionBinding(
            endpoint: .hub(shard: shard.name), identity: identity.deviceId, moduleId: identity.moduleId,
            certificateSerial: chain.first.map { SerialNumberText.canonical(bytes: $0.serialNumber.bytes) })
        let outbound = request.outbound
        let registration = directory.sessions.register(binding) { outbound.close() }
        let decision = await admit(request, identity: identity, clientId: clientId, chain: chain, registration: registration)
        if case .refuse = decision { directory.sessions.unregister(registration) }
        return decision
    }

    private func admit(_ request: MQTTConnectRequest, identity: (host: String, deviceId: String, moduleId: String?),
                       clientId: String, chain: [Certificate],
                       registration: AuthorizedSessionRegistry.Registration) async -> MQTTConnectDecision {
        let connect = request.connect
        var logger = self.logger
        logger[metadataKey: "hub.device_id"] = "\(identity.deviceId)"
        let admission: HubDeviceCredentialCheck.Admission
        do {
            let token = connect.password.flatMap { $0.isEmpty ? nil : String(decoding: $0, as: UTF8.self) }
            admission = try await credentials.admit(deviceId: identity.deviceId, moduleId: identity.moduleId, token: token, chain: chain)
        } catch let error as HubError where error.status == 401 || error.status == 404 {
            return .refuse(.notAuthorized, reason: error.message)
        } catch {
            logger.error("device authentication failed", metadata: ["hub.error": "\(error)"])
            return .refuse(.serverUnavailable, reason: "authentication could not complete")
        }
        if let expiry = admission.expiry {
            SessionExpiry.closeAtExpiry(request.outbound, expiry: expiry, now: Date())
        }
        if let username = connect.username, let modelId = Self.modelId(username: username) {
            do {
                try await shard.recordModelId(deviceId: identity.deviceId, moduleId: identity.moduleId, modelId: modelId)
            } catch let error as HubError where error.status == 400 {
                return .refuse(.badUsernameOrPassword, reason: error.message)
            } catch {
                logger.error("storing the device's model id failed", metadata: ["hub.error": "\(error)"])
                return .refuse(.serverUnavailable, reason: "the model id could not be stored")
            }
        }
        let authMethod = admission.authMethod
        let restored = directory.restoreSubscriptions(shard: shard.name, clientId: clientId, clean: connect.cleanSession)
        let session = HubDeviceSession(
            shard: shard, deviceId: identity.deviceId, moduleId: identity.moduleId, authMethod: authMethod,
            subscriptions: restored ?? [], outbound: request.outbound, directory: directory, registration: registration,
            logger: logger)
        return .accept(session, sessionPresent: restored != nil)
    }

    /// The Plug and Play `model-id` query parameter of a hub username (percent-decoded), if given.
    static func modelId(username: String) -> String? {
        let parts = username.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        for pair in parts[1].split(separator: "&") {
            let field = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard field.count == 2, field[0] == "model-id" else { continue }
            return String(field[1]).removingPercentEncoding ?? String(field[1])
        }
        return nil
    }

    /// Host, device and module of a hub username.
    static func identity(username: String) -> (host: String, deviceId: String, moduleId: String?)? {
        let path = username.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        switch parts.count {
        case 2: return (String(parts[0]), String(parts[1]), nil)
        case 3: return (String(parts[0]), String(parts[1]), String(parts[2]))
        default: return nil
        }
    }
}
