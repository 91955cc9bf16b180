import Foundation
import Hub
import Hummingbird
import NIOSSL
import SwiftASN1
import X509

/// Authenticates one HTTPS device request as the device its path names: `Authorization: SharedAccessSignature
/// sr={host}/devices/{id}…` or the TLS client certificate (revocation was checked by `RevocationEnforcingMiddleware`).
/// Each request stands alone, so a disable, re-key or revocation takes effect on the device's next request.
struct DeviceRequestAuthenticator: Sendable {
    let credentials: HubDeviceCredentialCheck

    /// The admission of `deviceId` (or its module `moduleId`), or a 401 `HubError` (an unknown device is a 401 too, as on
    /// IoT Hub).
    func admit(_ request: Request, context: ProvisioRequestContext, deviceId: String,
               moduleId: String? = nil) async throws -> HubDeviceCredentialCheck.Admission {
        let token = request.headers[.authorization]
        if let token, !token.hasPrefix("SharedAccessSignature ") {
            throw HubError.unauthorized("the Authorization header is not a SharedAccessSignature")
        }
        let presented = token == nil ? await context.presentedCertificates() : []
        let chain: [Certificate]
        do {
            chain = try presented.map { try Certificate(derEncoded: $0.toDERBytes()) }
        } catch {
            throw HubError.unauthorized("the client certificate does not parse")
        }
        do {
            return try await credentials.admit(deviceId: deviceId, moduleId: moduleId, token: token, chain: chain)
        } catch let error as HubError where error.status == 404 {
            throw HubError.unauthorized(error.message)
        }
    }
}
