import AccessControl
import AMQPCodec
import Foundation
import Hub

/// The `$cbs` node of a shard: `put-token` requests (`type` `servicebus.windows.net:sastoken`, `name` = audience,
/// body = the token) checked against the shard's shared access policies, or a device's own key for a device
/// audience. Answers 200 with the grant, 400 for a malformed request, 401 for a refused token; never echoes the token.
struct ClaimsBasedSecurityNode: Sendable {
    /// The outcome of one request.
    struct Outcome: Sendable {
        var status: Int32
        var description: String
        var grant: ClaimsGrant?
    }

    let verifier: ClaimsTokenVerifier
    let shard: HubShard
    /// The device check (key, then enrollment status) when the shard serves devices.
    var credentials: HubDeviceCredentialCheck?

    /// Handles one request.
    func handle(_ request: AMQPManagementExchange, now: Date) async -> Outcome {
        guard request.properties["operation"] == "put-token" else {
            return Outcome(status: 400, description: "the $cbs node only takes put-token requests")
        }
        guard let type = request.properties["type"], type == "servicebus.windows.net:sastoken" else {
            return Outcome(status: 400, description: "only servicebus.windows.net:sastoken tokens are supported")
        }
        guard let audience = request.properties["name"], let token = request.body?.text else {
            return Outcome(status: 400, description: "a put-token needs a name (the audience) and the token as a string body")
        }
        do {
            switch try verifier.verify(audience: audience, token: token, now: now) {
            case .granted(let grant):
                return Outcome(status: 200, description: "OK", grant: grant)
            case .deviceKeyRequired(let deviceId, let moduleId, let expiry):
                do {
                    if let credentials {
                        _ = try await credentials.admit(deviceId: deviceId, moduleId: moduleId, token: token, chain: [])
                    } else {
                        _ = try await shard.authenticate(deviceId: deviceId, moduleId: moduleId, token: token)
                    }
                } catch let error as HubError {
                    return Outcome(status: 401, description: error.message)
                } catch {
                    return Outcome(status: 500, description: "the device could not be checked")
                }
                let grant = ClaimsGrant(principal: .device(deviceId: deviceId, moduleId: moduleId),
                                        audience: .device(deviceId: deviceId, moduleId: moduleId), expiry: expiry)
                return Outcome(status: 200, description: "OK", grant: grant)
            }
        } catch {
            return Outcome(status: 401, description: error.message)
        }
    }
}
