import AccessControl
import Hummingbird
import PKI

/// Names the service API client as the audit actor (`service-api:<policy>`) for everything the request does, from
/// the `skn` of its SharedAccessSignature when that is one of this listener's policies.
///
/// The route still authorizes the token; a request whose token fails that writes nothing, so reading the name
/// before the signature is checked cannot put a false actor on an entry.
public struct AuditActorMiddleware<Context: RequestContext>: RouterMiddleware {
    private let policyNames: [String: String]

    /// A middleware for a listener whose service policies are `policies`.
    public init(policies: [SharedAccessPolicy]) {
        policyNames = Dictionary(policies.map { ($0.name.lowercased(), $0.name) }, uniquingKeysWith: { first, _ in first })
    }

    /// Runs the route with the request's actor.
    public func handle(_ request: Request, context: Context,
                       next: (Request, Context) async throws -> Response) async throws -> Response {
        // Only a token naming a key (`skn=`) can be a service policy's: device tokens are not parsed twice.
        guard let authorization = request.headers[.authorization], authorization.contains("skn="),
              let token = try? SharedAccessSignature(parsing: authorization),
              let keyName = token.keyName, let policy = policyNames[keyName.lowercased()]
        else {
            return try await next(request, context)
        }
        return try await AuditActor.$current.withValue(AuditActor.serviceAPI(policy: policy)) {
            try await next(request, context)
        }
    }
}
