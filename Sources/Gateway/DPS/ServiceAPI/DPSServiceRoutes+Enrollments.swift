import Hummingbird
import Provisioning
import AccessControl

extension DPSServiceRoutes {
    /// `/enrollments…`: individual enrollments, their attestation, query and bulk operations.
    static func addEnrollmentRoutes<Context: RequestContext>(to routes: RouterGroup<Context>, service: EnrollmentService,
                                    authenticator: ServiceAuthenticator) {
        routes.put("enrollments/:id") { request, context -> Response in
            try authenticator.authorize(request, permission: .enrollmentWrite)
            let id = try parameter("id", in: context)
            let enrollment = try await ServiceJSON.decode(IndividualEnrollment.self, from: request, context: context)
            return try ServiceJSON.response(
                try await service.createOrUpdateIndividualEnrollment(registrationId: id, enrollment, ifMatch: ifMatch(request)))
        }
        routes.get("enrollments/:id") { request, context -> Response in
            try authenticator.authorize(request, permission: .enrollmentRead)
            return try ServiceJSON.response(try await service.individualEnrollment(registrationId: try parameter("id", in: context)))
        }
        routes.delete("enrollments/:id") { request, context -> Response in
            try authenticator.authorize(request, permission: .enrollmentWrite)
            try await service.deleteIndividualEnrollment(registrationId: try parameter("id", in: context), ifMatch: ifMatch(request))
            return ServiceJSON.noContent()
        }
        routes.post("enrollments/:id/attestationmechanism") { request, context -> Response in
            try authenticator.authorize(request, permission: .enrollmentRead)
            return try ServiceJSON.response(
                try await service.individualEnrollmentAttestation(registrationId: try parameter("id", in: context)))
        }
        routes.post("enrollments/query") { request, context -> Response in
            try authenticator.authorize(request, permission: .enrollmentRead)
            let query = try await ServiceJSON.decodeIfPresent(QuerySpecification.self, from: request, context: context)
                ?? QuerySpecification()
            let page = try await service.queryIndividualEnrollments(query, page: try pageRequest(request))
            return try queryResponse(page, itemType: "Enrollment")
        }
        routes.post("enrollments") { request, context -> Response in
            try authenticator.authorize(request, permission: .enrollmentWrite)
            let operation = try await ServiceJSON.decode(BulkEnrollmentOperation.self, from: request, context: context)
            return try ServiceJSON.response(try await service.runBulkOperation(operation))
        }
    }
}
