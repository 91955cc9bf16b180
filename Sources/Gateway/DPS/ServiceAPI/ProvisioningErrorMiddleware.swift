import Hummingbird
import Provisioning

/// Turns `ProvisioningError`s thrown by service routes into `ServiceError`s, which `ServiceErrorMiddleware` renders.
struct ProvisioningErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Calls the route and maps domain errors to their wire status and code.
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as ProvisioningError {
            throw ServiceError(error)
        }
    }
}
