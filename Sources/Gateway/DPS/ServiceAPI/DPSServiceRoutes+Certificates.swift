import Hummingbird
import Provisioning
import Security

extension DPSServiceRoutes {
    /// `/certificates…`: uploaded CA certificates and their proof of possession.
    static func addCertificateRoutes(to routes: RouterGroup<BasicRequestContext>, service: EnrollmentService,
                                     authenticator: ServiceAuthenticator) {
        routes.put("certificates/:name") { request, context -> Response in
            try authenticator.authorize(request, permission: .serviceConfig)
            let name = try parameter("name", in: context)
            let body = try await ServiceJSON.decode(CACertificateRequest.self, from: request)
            let details = try await service.uploadCACertificate(
                name: name, certificate: body.certificateText, isVerified: body.properties?.isVerified ?? false, ifMatch: ifMatch(request))
            return try ServiceJSON.response(CACertificateResponse(details))
        }
        routes.get("certificates/:name") { request, context -> Response in
            try authenticator.authorize(request, permission: .serviceConfig)
            return try ServiceJSON.response(CACertificateResponse(try await service.caCertificate(name: try parameter("name", in: context))))
        }
        routes.delete("certificates/:name") { request, context -> Response in
            try authenticator.authorize(request, permission: .serviceConfig)
            try await service.deleteCACertificate(name: try parameter("name", in: context), ifMatch: ifMatch(request))
            return ServiceJSON.noContent()
        }
        routes.get("certificates") { request, _ -> Response in
            try authenticator.authorize(request, permission: .serviceConfig)
            return try ServiceJSON.response(CACertificateListResponse(value: try await service.caCertificates().map { CACertificateResponse($0) }))
        }
        routes.post("certificates/:name/generateVerificationCode") { request, context -> Response in
            try authenticator.authorize(request, permission: .serviceConfig)
            let details = try await service.generateVerificationCode(name: try parameter("name", in: context), ifMatch: ifMatch(request))
            return try ServiceJSON.response(CACertificateResponse(details, includingVerificationCode: true))
        }
        routes.post("certificates/:name/verify") { request, context -> Response in
            try authenticator.authorize(request, permission: .serviceConfig)
            let name = try parameter("name", in: context)
            let body = try await ServiceJSON.decode(CACertificateRequest.self, from: request)
            let details = try await service.verifyCACertificate(name: name, certificate: body.certificateText, ifMatch: ifMatch(request))
            return try ServiceJSON.response(CACertificateResponse(details))
        }
    }
}
