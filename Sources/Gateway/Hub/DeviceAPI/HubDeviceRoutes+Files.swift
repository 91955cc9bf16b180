import Foundation
import Hub
import Hummingbird
import HTTPTypes

extension HubDeviceRoutes {
    /// `{"blobName": "…"}` of `POST /devices/{id}/files`.
    struct FileUploadRequest: Decodable {
        var blobName: String
    }

    /// The body of `POST /devices/{id}/files/notifications`.
    struct FileUploadNotificationRequest: Decodable {
        var correlationId: String
        var isSuccess: Bool
        var statusCode: Int?
        var statusDescription: String?
    }

    /// File upload: the SAS for a blob on this shard, and the device's report on the upload. `hostNames` are the
    /// shard's HTTPS names (first = the default); the grant names the one the device reached.
    static func addFileRoutes(to routes: RouterGroup<ProvisioRequestContext>, uploads: FileUploads, hostNames: [String],
                              authenticator: DeviceRequestAuthenticator) {
        routes.post("devices/:id/files") { request, context -> Response in
            let id = try context.decodedParameter("id")
            _ = try await authenticator.admit(request, context: context, deviceId: id)
            let body = try await ServiceJSON.decode(FileUploadRequest.self, from: request, context: context)
            let reached = request.head.authority.flatMap { host in hostNames.first { $0.caseInsensitiveCompare(host) == .orderedSame } }
            let grant = try await uploads.initiate(deviceId: id, name: body.blobName, hostName: reached ?? hostNames.first ?? uploads.shard.hostName)
            return try ServiceJSON.response(grant)
        }
        routes.post("devices/:id/files/notifications") { request, context -> Response in
            let id = try context.decodedParameter("id")
            _ = try await authenticator.admit(request, context: context, deviceId: id)
            let body = try await ServiceJSON.decode(FileUploadNotificationRequest.self, from: request, context: context)
            try await uploads.notify(deviceId: id, correlationId: body.correlationId, isSuccess: body.isSuccess,
                                     statusCode: body.statusCode, statusDescription: body.statusDescription)
            return Response(status: .noContent)
        }
    }
}
