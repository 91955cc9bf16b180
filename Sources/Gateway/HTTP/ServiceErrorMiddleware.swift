import Foundation
import Hummingbird
import HTTPTypes
import Logging
import NIOCore

/// Turns every failure into DPS's JSON error body (`errorCode`, `trackingId`, `message`, `timestampUtc`)
/// with the `x-ms-error-code` header; internal causes are logged, never returned.
public struct ServiceErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Creates the middleware.
    public init() {}

    /// Calls the next responder and maps its errors.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as ServiceError {
            return Self.response(error)
        } catch let error as HTTPError {
            let message = error.body ?? (error.status == .notFound ? "no such resource: \(request.uri.path)" : error.status.reasonPhrase)
            return Self.response(ServiceError(status: error.status, errorCode: Int(error.status.code) * 1000, message: message))
        } catch is NIOTooManyBytesError {
            // A body without Content-Length that outgrew maxUploadSize while a route collected it.
            return Self.response(ServiceError(status: .contentTooLarge, errorCode: 413000, message: "the request body is too large"))
        } catch {
            context.logger.error("request failed", metadata: ["gateway.error": "\(error)"])
            return Self.response(ServiceError(status: .internalServerError, errorCode: 500000, message: "internal error"))
        }
    }

    static func response(_ error: ServiceError) -> Response {
        let body: [String: Any] = [
            "errorCode": error.errorCode,
            "trackingId": UUID().uuidString.lowercased(),
            "message": error.message,
            "timestampUtc": ISO8601DateFormatter().string(from: Date()),
        ]
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data()
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[HTTPField.Name("x-ms-error-code")!] = String(error.errorCode)
        return Response(status: error.status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// A failure with its wire mapping: HTTP status, DPS-style numeric code and a public message.
public struct ServiceError: Error, Sendable {
    /// HTTP status.
    public var status: HTTPResponse.Status
    /// Numeric code (HTTP status × 1000 + detail, as DPS does).
    public var errorCode: Int
    /// Safe-to-show message.
    public var message: String

    /// Creates an error.
    public init(status: HTTPResponse.Status, errorCode: Int, message: String) {
        self.status = status
        self.errorCode = errorCode
        self.message = message
    }
}
