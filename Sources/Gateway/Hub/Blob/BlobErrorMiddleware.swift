import Foundation
import Hub
import Hummingbird
import HTTPTypes
import Logging

/// Renders every failure of a Blob REST route as Azure Storage does: the status, `x-ms-error-code: <code>` and
/// `<?xml …?><Error><Code>…</Code><Message>…</Message></Error>`. Internal causes are logged, never returned.
struct BlobErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Calls the route and renders whatever it throws.
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HubError {
            return Self.response(status: error.status, code: error.name, message: error.message)
        } catch let error as ServiceError {
            return Self.response(status: Int(error.status.code), code: "InvalidInput", message: error.message)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            return Self.response(status: 413, code: "RequestBodyTooLarge", message: "The request body is too large.")
        } catch {
            context.logger.error("blob request failed", metadata: ["hub.error": "\(error)"])
            return Self.response(status: 500, code: "InternalError", message: "The server encountered an internal error.")
        }
    }

    static func response(status: Int, code: String, message: String) -> Response {
        let requestId = UUID().uuidString.lowercased()
        let xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>\(escape(code))</Code><Message>\(escape(message))\n"
            + "RequestId:\(requestId)\nTime:\(BlobRoutes.isoTime(Date()))</Message></Error>"
        var headers = BlobRoutes.standardHeaders(requestId: requestId)
        headers[.contentType] = "application/xml"
        headers[.msErrorCode] = code
        return Response(status: HTTPResponse.Status(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: xml)))
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
