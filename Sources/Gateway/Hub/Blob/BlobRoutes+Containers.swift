import Hub
import Hummingbird

extension BlobRoutes {
    /// Adds Put Blob, Put Block, Put Block List, Get Blob and Get Blob Properties for every other container of the
    /// shard, opened by a container SAS (`sr=c`) as import and export jobs use them; a request without a SAS finds no
    /// container (404), so unknown paths still read as not found.
    public static func addContainers(to router: Router<ProvisioRequestContext>, uploads: FileUploads) {
        // Outside the Blob error rendering: a path without a SAS is the hub's plain JSON 404, as for any unknown path.
        let routes = router.group().add(middleware: ContainerSignatureGate()).add(middleware: BlobErrorMiddleware())
        let path = RouterPath(":container/**")
        routes.put(path) { request, _ in try await put(request, uploads: uploads, access: .container) }
        routes.get(path) { request, _ in try read(request, uploads: uploads, body: true, access: .container) }
        routes.head(path) { request, _ in try read(request, uploads: uploads, body: false, access: .container) }
    }

    /// Checks the request's SAS as `access` requires.
    static func authorize(_ uploads: FileUploads, _ access: Access, container: String, blob: String, query: [String: String],
                          permission: Character) throws {
        switch access {
        case .deviceUpload:
            try uploads.authorize(container: container, blob: blob, query: query, permission: permission)
        case .container:
            guard query["sig"] != nil else { throw BlobStorageError.containerNotFound() }
            try uploads.authorize(container: container, query: query, permission: permission)
        }
    }
}

/// Lets only requests that carry a SAS (`sig`) reach the container routes; anything else is an unknown path (404).
struct ContainerSignatureGate<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.queryParameters["sig"] != nil else { throw HTTPError(.notFound) }
        return try await next(request, context)
    }
}
