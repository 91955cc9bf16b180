import Hummingbird

/// Answers 413 before routing when a request declares (`Content-Length`) a body larger than `maximumBytes`, so every
/// route refuses it the same way, including routes that never read a body. Bodies without a length are cut off when
/// a route collects them (`maxUploadSize`), which the error middleware also answers 413.
struct BodySizeLimitResponder<Inner: HTTPResponder>: HTTPResponder where Inner.Context: RequestContext {
    typealias Context = Inner.Context

    let inner: Inner
    let maximumBytes: Int

    @Sendable func respond(to request: Request, context: Context) async throws -> Response {
        if let declared = request.headers[.contentLength], let length = Int(declared), length > maximumBytes, !Self.isBlobWrite(request) {
            // Hummingbird drains the unread body after the response (each part within the idle timeout).
            return ServiceErrorMiddleware<Context>.response(ServiceError(
                status: .contentTooLarge, errorCode: 413000, message: "the request body exceeds \(maximumBytes) bytes"))
        }
        return try await inner.respond(to: request, context: context)
    }

    /// A Blob API write (`PUT` with a blob SAS): the SDKs send files up to 64 MiB in one Put Blob and blocks of 4 MiB, so
    /// these stream under the shard's file size limit instead (`BlobRoutes` checks the SAS before reading the body).
    /// Any other route that collects such a body is still cut off at `maxUploadSize`.
    static func isBlobWrite(_ request: Request) -> Bool {
        guard request.method == .put, let query = request.uri.query else { return false }
        let names = query.split(separator: "&").map { $0.prefix { $0 != "=" } }
        return names.contains("sr") && names.contains("sig")
    }
}
