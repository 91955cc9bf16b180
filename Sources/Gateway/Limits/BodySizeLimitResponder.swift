import Hummingbird

/// Answers 413 before routing when a request declares (`Content-Length`) a body larger than `maximumBytes`, so every
/// route refuses it the same way, including routes that never read a body. Bodies without a length are cut off when
/// a route collects them (`maxUploadSize`), which the error middleware also answers 413.
struct BodySizeLimitResponder<Inner: HTTPResponder>: HTTPResponder where Inner.Context: RequestContext {
    typealias Context = Inner.Context

    let inner: Inner
    let maximumBytes: Int

    @Sendable func respond(to request: Request, context: Context) async throws -> Response {
        if let declared = request.headers[.contentLength], let length = Int(declared), length > maximumBytes {
            // Hummingbird drains the unread body after the response (each part within the idle timeout).
            return ServiceErrorMiddleware<Context>.response(ServiceError(
                status: .contentTooLarge, errorCode: 413000, message: "the request body exceeds \(maximumBytes) bytes"))
        }
        return try await inner.respond(to: request, context: context)
    }
}
