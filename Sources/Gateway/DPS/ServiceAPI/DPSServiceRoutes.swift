import Foundation
import Hummingbird
import HTTPTypes
import Provisioning

/// The DPS service REST API that `azure-iothub-provisioningserviceclient` speaks: enrollments, enrollment groups,
/// registration states, queries, bulk operations and uploaded CA certificates. Any `api-version` is accepted.
public enum DPSServiceRoutes {
    /// Adds the routes to `router` (any request context); errors render through `ServiceErrorMiddleware`, which the router must carry.
    public static func add<Context: RequestContext>(
        to router: Router<Context>, service: EnrollmentService, authenticator: ServiceAuthenticator
    ) {
        let routes = router.group().add(middleware: ProvisioningErrorMiddleware())
        addEnrollmentRoutes(to: routes, service: service, authenticator: authenticator)
        addEnrollmentGroupRoutes(to: routes, service: service, authenticator: authenticator)
        addRegistrationRoutes(to: routes, service: service, authenticator: authenticator)
        addCertificateRoutes(to: routes, service: service, authenticator: authenticator)
    }

    /// A path parameter, percent-decoded (the SDK quotes ids, so `:` arrives as `%3A`).
    static func parameter(_ name: String, in context: some RequestContext) throws -> String {
        guard let raw = context.parameters.get(name), let decoded = raw.removingPercentEncoding, !decoded.isEmpty else {
            throw ServiceError.badRequest("the path is missing its \(name)")
        }
        return decoded
    }

    /// The `If-Match` header, passed through verbatim (the SDK sends the quoted etag).
    static func ifMatch(_ request: Request) -> String? {
        request.headers[.ifMatch]
    }

    /// `x-ms-max-item-count` and `x-ms-continuation`.
    static func pageRequest(_ request: Request) throws -> QueryPageRequest {
        var page = QueryPageRequest(continuationToken: request.headers[.msContinuation])
        if let count = request.headers[.msMaxItemCount], !count.isEmpty {
            guard let value = Int(count.trimmingCharacters(in: .whitespaces)) else {
                throw ServiceError.badRequest("x-ms-max-item-count must be a number")
            }
            page.pageSize = value
        }
        return page
    }

    /// A query page: JSON array plus the continuation, item-type and page-size headers.
    static func queryResponse<Item: Encodable & Sendable>(_ page: QueryPage<Item>, itemType: String) throws -> Response {
        var headers = HTTPFields()
        headers[.msItemType] = itemType
        headers[.msMaxItemCount] = String(page.pageSize)
        if let token = page.continuationToken { headers[.msContinuation] = token }
        return try ServiceJSON.response(page.items, headers: headers)
    }
}
