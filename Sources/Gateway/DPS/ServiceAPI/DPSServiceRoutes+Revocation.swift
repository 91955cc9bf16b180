import AccessControl
import Foundation
import Hummingbird
import PKI

extension DPSServiceRoutes {
    /// `POST /certificates/revoke` and `GET /issuedCertificates` (`?deviceId=`, `&expiringWithinDays=`,
    /// `&revoked=true`): certificate revocation and the inventory, with the `serviceConfig` permission.
    public static func addRevocationRoutes<Context: RequestContext>(
        to router: Router<Context>, authority: RevocationAuthority, authenticator: ServiceAuthenticator,
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        router.post("certificates/revoke") { request, context -> Response in
            try authenticator.authorize(request, permission: .serviceConfig)
            let body = try await ServiceJSON.decode(CertificateRevocationRequest.self, from: request, context: context)
            let target = try revocationTarget(body)
            var reason = RevocationReason.unspecified
            if let name = body.reason {
                guard let parsed = RevocationReason(name: name) else {
                    throw ServiceError.badRequest("reason must be one of \(RevocationReason.names.joined(separator: ", "))")
                }
                reason = parsed
            }
            let outcome = try await mapPKIErrors { try await authority.revoke(target, reason: reason, now: now()) }
            return try ServiceJSON.response(CertificateRevocationResponse(
                revoked: outcome.revoked.map(IssuedCertificateResponse.init),
                alreadyRevoked: outcome.alreadyRevoked.map(IssuedCertificateResponse.init)))
        }
        router.get("issuedCertificates") { request, context -> Response in
            try authenticator.authorize(request, permission: .serviceConfig)
            let query = request.uri.queryParameters
            var filter = IssuedCertificateFilter(deviceId: query["deviceId"].map(String.init))
            let current = now()
            if let days = query["expiringWithinDays"] {
                guard let count = Double(days), count >= 0 else {
                    throw ServiceError.badRequest("expiringWithinDays must be a non-negative number")
                }
                filter.expiringBefore = current.addingTimeInterval(count * 86_400)
            }
            filter.revokedOnly = query["revoked"].map { $0.lowercased() == "true" } ?? false
            let entries = try await mapPKIErrors { try await authority.issuedCertificates(matching: filter, now: current) }
            return try ServiceJSON.response(entries.map(IssuedCertificateResponse.init))
        }
    }

    private static func revocationTarget(_ body: CertificateRevocationRequest) throws -> RevocationTarget {
        let given = [body.serialNumber.map(RevocationTarget.serialNumber), body.deviceId.map(RevocationTarget.deviceId),
                     body.enrollmentId.map(RevocationTarget.enrollmentId)].compactMap { $0 }
        guard given.count == 1, let target = given.first else {
            throw ServiceError.badRequest("give exactly one of serialNumber, deviceId or enrollmentId")
        }
        return target
    }

    /// PKI failures with their wire status: unknown certificates 404, CA certificates 409, bad input 400.
    private static func mapPKIErrors<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PKIError {
            switch error.code {
            case .certificateNotFound: throw ServiceError(status: .notFound, errorCode: 404_000, message: error.message)
            case .notRevocable: throw ServiceError(status: .conflict, errorCode: 409_000, message: error.message)
            case .invalidRevocationRequest: throw ServiceError.badRequest(error.message)
            default: throw error
            }
        }
    }
}
