import Foundation
import Hub
import Hummingbird
import AccessControl
import Provisioning

/// Import and export jobs of one shard (`POST /jobs/create`, `GET /jobs`, `GET|DELETE /jobs/{id}`, as
/// `azure-iot-hub` 2.7.0 calls them) and Provisio's route issuing container SAS URIs on the shard's own blob service
/// (`POST /provisio/containers/{container}/sas`), the only storage those jobs reach.
public enum HubImportExportRoutes {
    /// Longest container SAS lifetime issued.
    static let maximumSASHours = 24 * 7

    /// Adds the routes; `uploads` is the shard's blob service.
    public static func add<Context: RequestContext>(to router: Router<Context>, shard: HubShard, authenticator: ServiceAuthenticator,
                                                    uploads: FileUploads) {
        let routes = router.group().add(middleware: HubErrorMiddleware())
        routes.post("jobs/create") { request, context -> Response in
            try authenticator.authorize(request, permission: .registryWrite)
            let body = try await ServiceJSON.decode(ImportExportJobRequest.self, from: request, context: context)
            let job = try await shard.createImportExportJob(try body.job(now: Date()))
            return try ServiceJSON.response(job.redacted)
        }
        routes.get("jobs") { request, _ -> Response in
            try authenticator.authorize(request, permission: .registryRead)
            return try ServiceJSON.response(try await shard.importExportJobList().map(\.redacted))
        }
        routes.get("jobs/:id") { request, context -> Response in
            try authenticator.authorize(request, permission: .registryRead)
            return try ServiceJSON.response(try await shard.importExportJob(try context.decodedParameter("id")).redacted)
        }
        routes.delete("jobs/:id") { request, context -> Response in
            try authenticator.authorize(request, permission: .registryWrite)
            return try ServiceJSON.response(try await shard.cancelImportExportJob(try context.decodedParameter("id")).redacted)
        }
        routes.post("provisio/containers/:container/sas") { request, context -> Response in
            try authenticator.authorize(request, permission: .registryWrite)
            let container = try context.decodedParameter("container")
            let permissions = request.uri.queryParameters["permissions"].map(String.init) ?? "rwl"
            guard !permissions.isEmpty, permissions.allSatisfy({ "rwdl".contains($0) }) else {
                throw ServiceError.badRequest("permissions are letters of rwdl")
            }
            let hours = try HubServiceRoutes.integer(request.uri.queryParameters["hours"], name: "hours") ?? 24
            guard (1...maximumSASHours).contains(hours) else { throw ServiceError.badRequest("hours must be 1 to \(maximumSASHours)") }
            let sas = try uploads.containerSignature(container: container, permissions: permissions,
                                                     expiry: Date().addingTimeInterval(TimeInterval(hours) * 3600))
            let host = request.head.authority ?? shard.hostName
            return try ServiceJSON.response(["containerUri": "https://\(host)/\(container)\(sas)"])
        }
    }
}

/// The body of `POST /jobs/create` (`JobProperties`).
struct ImportExportJobRequest: Decodable, Sendable {
    var jobId: String?
    var type: String?
    var inputBlobContainerUri: String?
    var inputBlobName: String?
    var outputBlobContainerUri: String?
    var outputBlobName: String?
    var excludeKeysInExport: Bool?
    var storageAuthenticationType: String?

    /// The job to queue.
    func job(now: Date) throws(HubError) -> ImportExportJob {
        guard let kind = type.flatMap({ ImportExportJob.Kind(rawValue: $0.lowercased()) }) else {
            throw .badRequest("type must be export or import")
        }
        for name in [inputBlobName, outputBlobName].compactMap({ $0 }) { try FileUploads.validate(name: name) }
        return ImportExportJob(
            jobId: jobId.flatMap { $0.isEmpty ? nil : $0 } ?? UUID().uuidString.lowercased(), type: kind,
            startTimeUtc: RegistrationTimestamp.string(now), inputBlobContainerUri: inputBlobContainerUri, inputBlobName: inputBlobName,
            outputBlobContainerUri: outputBlobContainerUri, outputBlobName: outputBlobName,
            excludeKeysInExport: excludeKeysInExport ?? true, storageAuthenticationType: storageAuthenticationType)
    }
}
