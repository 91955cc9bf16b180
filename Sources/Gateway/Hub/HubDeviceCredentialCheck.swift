import Foundation
import Hub
import PKI
import Provisioning
import X509

/// Checks a device's credentials on one shard for every device transport (MQTT CONNECT, HTTPS requests): a SAS token
/// for `{host}/devices/{id}[/modules/{m}]`, or a TLS client certificate (CN = device id; self-signed thumbprint or a
/// chain to the issuing CAs), then that the device's DPS enrollment is not disabled. Refusals are `HubError`s
/// (401, or 404 for an unknown device); other errors mean the check could not complete.
public struct HubDeviceCredentialCheck: Sendable {
    /// What passed.
    public struct Admission: Sendable {
        /// `sas` or `x509`, as stamped on telemetry (`iothub-connection-auth-method`).
        public var authMethod: String
        /// When the credential stops being valid (token expiry or certificate not-after).
        public var expiry: Date?
    }

    let shard: HubShard
    let enrollmentStatus: (any DeviceEnrollmentStatus)?
    let validateChain: @Sendable ([Certificate]) async -> Bool

    /// Creates the check; `validateChain` says whether a chain is trusted for CA-authenticated devices.
    public init(shard: HubShard, enrollmentStatus: (any DeviceEnrollmentStatus)? = nil,
                validateChain: @escaping @Sendable ([Certificate]) async -> Bool) {
        self.shard = shard
        self.enrollmentStatus = enrollmentStatus
        self.validateChain = validateChain
    }

    /// Admits `deviceId` (and `moduleId`) by `token` when one is given, else by the presented `chain` (leaf first).
    public func admit(deviceId: String, moduleId: String?, token: String?, chain: [Certificate]) async throws -> Admission {
        let admission: Admission
        if let token, !token.isEmpty {
            _ = try await shard.authenticate(deviceId: deviceId, moduleId: moduleId, token: token)
            admission = Admission(authMethod: "sas", expiry: HubShard.tokenExpiry(token))
        } else if let leaf = chain.first {
            guard leaf.subject.commonNameText == deviceId else {
                throw HubError.unauthorized("the certificate's CN is not the device id")
            }
            guard moduleId == nil else { throw HubError.unauthorized("modules authenticate with SAS tokens") }
            let device = try await shard.device(deviceId)
            let trusted = device.authentication.type == "certificateAuthority" ? await validateChain(chain) : false
            _ = try await shard.authenticate(deviceId: deviceId, certificateThumbprint: CertificateFingerprint.sha1(leaf),
                                             chainValidated: trusted)
            admission = Admission(authMethod: "x509", expiry: leaf.notValidAfter)
        } else {
            throw HubError.unauthorized("neither a SAS token nor a client certificate")
        }
        if let enrollmentStatus, let reason = try await enrollmentStatus.disabledEnrollment(deviceId: deviceId, shard: shard.name) {
            throw HubError.unauthorized(reason)
        }
        return admission
    }
}
