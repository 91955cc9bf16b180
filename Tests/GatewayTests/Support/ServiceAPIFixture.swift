import ProvisioTestSupport
import Foundation
import Gateway
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import NIOCore
import Provisioning
import AccessControl
import Testing

/// The DPS service routes over an in-memory repository, with an owner policy, a read-only policy and token helpers.
struct ServiceAPIFixture {
    static let hostName = "127.0.0.1:8443"
    static let hubs = ["hub1.provisio.test", "hub2.provisio.test"]
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    let repository = InMemoryEnrollmentRepository()
    let owner = SharedAccessPolicy(
        name: "provisioningserviceowner", primaryKey: .generate(byteCount: 32), secondaryKey: .generate(byteCount: 32),
        permissions: [.serviceConfig, .enrollmentRead, .enrollmentWrite, .registrationStatusRead, .registrationStatusWrite])
    let reader = SharedAccessPolicy(
        name: "enrollmentreader", primaryKey: .generate(byteCount: 32), secondaryKey: .generate(byteCount: 32),
        permissions: [.enrollmentRead])

    /// A router with `ServiceErrorMiddleware` (as the server installs it) and the DPS service routes.
    func application() -> some ApplicationProtocol {
        let router = Router()
        router.middlewares.add(ServiceErrorMiddleware())
        let service = EnrollmentService(repository: repository, linkedHubHostNames: Self.hubs, now: { Self.now })
        let authenticator = ServiceAuthenticator(policies: [owner, reader], hostNames: [Self.hostName], now: { Self.now })
        DPSServiceRoutes.add(to: router, service: service, authenticator: authenticator)
        return Application(router: router)
    }

    /// A token like the SDK's: `sr=quote_plus(HostName)`, signed with the policy's primary key.
    func token(_ policy: SharedAccessPolicy? = nil, resource: String = hostName, expiry: Int64? = nil) -> String {
        let policy = policy ?? owner
        return SharedAccessSignature.make(resource: resource, key: policy.primaryKey,
                                          expiry: expiry ?? Int64(Self.now.timeIntervalSince1970) + 3600, keyName: policy.name)
    }

    /// Headers with the owner's token (or `token`), JSON content type and optional If-Match.
    func headers(token: String? = nil, ifMatch: String? = nil, extra: [HTTPField.Name: String] = [:]) -> HTTPFields {
        var headers = HTTPFields()
        headers[.authorization] = token ?? self.token()
        headers[.contentType] = "application/json"
        if let ifMatch { headers[.ifMatch] = ifMatch }
        for (name, value) in extra { headers[name] = value }
        return headers
    }

    /// Runs `body` against the routes.
    func test(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await application().test(.router, body)
    }
}

/// The SDK's query string.
let apiVersion = "?api-version=2018-09-01-preview"

extension ByteBuffer {
    /// A buffer holding `text`.
    static func json(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }
}

extension TestResponse {
    /// The body as a JSON value.
    func json() throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(body.readableBytesView))
    }

    /// The body decoded as `type`.
    func decode<Value: Decodable>(_ type: Value.Type) throws -> Value {
        try JSONDecoder().decode(type, from: Data(body.readableBytesView))
    }

    /// The body text.
    var text: String { String(buffer: body) }
}

/// Checks a DPS error body: status, `errorCode`, and the four members the SDK parses.
func expectServiceError(_ response: TestResponse, status: HTTPResponse.Status, errorCode: Int? = nil,
                        sourceLocation: SourceLocation = #_sourceLocation) throws {
    #expect(response.status == status, "\(response.text)", sourceLocation: sourceLocation)
    let body = try response.json()
    if let errorCode { #expect(body["errorCode"] == .number(Double(errorCode)), "\(response.text)", sourceLocation: sourceLocation) }
    for member in ["errorCode", "trackingId", "message", "timestampUtc"] {
        #expect(body[member] != nil, "missing \(member)", sourceLocation: sourceLocation)
    }
}
