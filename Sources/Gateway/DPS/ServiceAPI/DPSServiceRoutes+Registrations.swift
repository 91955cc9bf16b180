import Hummingbird
import Provisioning
import AccessControl

extension DPSServiceRoutes {
    /// `/registrations…`: device registration states.
    static func addRegistrationRoutes<Context: RequestContext>(to routes: RouterGroup<Context>, service: EnrollmentService,
                                      authenticator: ServiceAuthenticator) {
        routes.get("registrations/:id") { request, context -> Response in
            try authenticator.authorize(request, permission: .registrationStatusRead)
            return try ServiceJSON.response(try await service.registrationState(registrationId: try parameter("id", in: context)))
        }
        routes.delete("registrations/:id") { request, context -> Response in
            try authenticator.authorize(request, permission: .registrationStatusWrite)
            try await service.deleteRegistrationState(registrationId: try parameter("id", in: context), ifMatch: ifMatch(request))
            return ServiceJSON.noContent()
        }
        // The body (a query specification, when sent) is not needed: the group id selects the states.
        routes.post("registrations/:id/query") { request, context -> Response in
            try authenticator.authorize(request, permission: .registrationStatusRead)
            let page = try await service.queryRegistrationStates(enrollmentGroupId: try parameter("id", in: context),
                                                                 page: try pageRequest(request))
            return try queryResponse(page, itemType: "DeviceRegistration")
        }
    }
}
