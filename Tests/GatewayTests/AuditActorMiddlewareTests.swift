import AccessControl
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PKI
import Testing

/// The middleware names the service API client as the audit actor for everything a request does.
@Suite struct AuditActorMiddlewareTests {
    @Test func actorIsThePolicyNamedByTheToken() async throws {
        let policies = SharedAccessPolicy.defaultProvisioningPolicies()
        let owner = try #require(policies.first { $0.name == "provisioningserviceowner" })
        let router = Router()
        router.middlewares.add(AuditActorMiddleware(policies: policies))
        router.get("actor") { _, _ in AuditActor.current }
        let expiry = Int64(Date().timeIntervalSince1970) + 600
        let cases: [(String?, String)] = [
            (SharedAccessSignature.make(resource: "dps.test", key: owner.primaryKey, expiry: expiry, keyName: owner.name),
             "service-api:provisioningserviceowner"),
            // The policy name matches case-insensitively, as the authenticator's does; the actor keeps its spelling.
            (SharedAccessSignature.make(resource: "dps.test", key: owner.primaryKey, expiry: expiry, keyName: "ProvisioningServiceOwner"),
             "service-api:provisioningserviceowner"),
            // Device tokens (skn=registration) and unknown names are not service API clients.
            (SharedAccessSignature.make(resource: "dps.test", key: owner.primaryKey, expiry: expiry, keyName: "registration"), "system"),
            ("SharedAccessSignature garbage", "system"),
            (nil, "system"),
        ]
        let app = Application(router: router)
        try await app.test(.router) { client in
            for (token, actor) in cases {
                var headers = HTTPFields()
                if let token { headers[.authorization] = token }
                let response = try await client.execute(uri: "/actor", method: .get, headers: headers)
                #expect(String(buffer: response.body) == actor)
            }
        }
    }
}
