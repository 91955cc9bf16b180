import Hummingbird
import Provisioning
import AccessControl

extension DPSServiceRoutes {
    /// `/enrollmentGroups…`: groups, their attestation and query.
    static func addEnrollmentGroupRoutes<Context: RequestContext>(to routes: RouterGroup<Context>, service: EnrollmentService,
                                         authenticator: ServiceAuthenticator) {
        routes.put("enrollmentGroups/:id") { request, context -> Response in
            try authenticator.authorize(request, permission: .enrollmentWrite)
            let id = try parameter("id", in: context)
            let group = try await ServiceJSON.decode(EnrollmentGroup.self, from: request, context: context)
            return try ServiceJSON.response(try await service.createOrUpdateEnrollmentGroup(id: id, group, ifMatch: ifMatch(request)))
        }
        routes.get("enrollmentGroups/:id") { request, context -> Response in
            try authenticator.authorize(request, permission: .enrollmentRead)
            return try ServiceJSON.response(try await service.enrollmentGroup(id: try parameter("id", in: context)))
        }
        routes.delete("enrollmentGroups/:id") { request, context -> Response in
            try authenticator.authorize(request, permission: .enrollmentWrite)
            try await service.deleteEnrollmentGroup(id: try parameter("id", in: context), ifMatch: ifMatch(request))
            return ServiceJSON.noContent()
        }
        routes.post("enrollmentGroups/:id/attestationmechanism") { request, context -> Response in
            try authenticator.authorize(request, permission: .enrollmentRead)
            return try ServiceJSON.response(try await service.enrollmentGroupAttestation(id: try parameter("id", in: context)))
        }
        routes.post("enrollmentGroups/query") { request, context -> Response in
            try authenticator.authorize(request, permission: .enrollmentRead)
            let query = try await ServiceJSON.decodeIfPresent(QuerySpecification.self, from: request, context: context)
                ?? QuerySpecification()
            let page = try await service.queryEnrollmentGroups(query, page: try pageRequest(request))
            return try queryResponse(page, itemType: "EnrollmentGroup")
        }
    }
}
