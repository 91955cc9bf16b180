import Hummingbird
import Provisioning
import AccessControl

extension DPSServiceRoutes {
    /// `/certificates…`: uploaded CA certificates and their proof of possession.
    static func addCertificateRoutes<Context: RequestContext>(to routes: RouterGroup<Context>, service: EnrollmentService,
                                     authenticator: ServiceAuthenticator) {
        routes.put("certificates/:name") { request, context -> Response in
            try authenticator.authorize(request, permission: .serviceConfig)
            let name = try parameter("name", in: context)
            let body = try await ServiceJSON.decode(CACertificateRequest.self, from: request, context: context)
            let details = try await service.uploadCACertificate(
                name: name, certificate: body.certificateText, isVerified: body.properties?.isVerified ?? false, ifMatch: ifMatch(request))
            return try ServiceJSON.response(CACertificateResponse(details))
        }
        routes.get("certificates/:name") { request, context -> Response in
            try authenticator.authorize(request, permission: .serviceConfig)
            let details = try await service.caCertificate(name: try parameter("name", in: context))
            return try ServiceJSON.response(CACertificateResponse(details))
        }
        routes.delete("certificates/:name") { request, context -> Response in
            try authenticator.authorize(request, permission: .serviceConfig)
            try await service.deleteCACertificate(name: try parameter("name", in: context), ifMatch: ifMatch(request))
            return ServiceJSON.noContent()
        }
        routes.get("certificates") { request, context -> Response in
            try authenticator.authorize(request, permission: .serviceConfig)
            let all = try await service.caCertificates()
            return try ServiceJSON.response(CACertificateListResponse(value: all.map { CACertificateResponse($0) }))
        }
        routes.post("certificates/:name/generateVerificationCode") { request, context -> Response in
            try authenticator.authorize(request, permission: .serviceConfig)
            let details = try await service.generateVerificationCode(name: try parameter("name", in: context), ifMatch: ifMatch(request))
            return try ServiceJSON.response(CACertificateResponse(details, includingVerificationCode: true))
        }
        routes.post("certificates/:name/verify") { request, context -> Response in
            try authenticator.authorize(request, permission: .serviceConfig)
            let name = try parameter("name", in: context)
            let body = try await ServiceJSON.decode(CACertificateRequest.self, from: request, context: context)
            let details = try await service.verifyCACertificate(name: name, certificate: body.certificateText, ifMatch: ifMatch(request))
            return try ServiceJSON.response(CACertificateResponse(details))
        }
    }
}
