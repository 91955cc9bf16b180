import Foundation
import Hub
import Hummingbird
import HTTPTypes
import Logging

/// Renders every failure of a hub service route the way IoT Hub does: the `HubError` status, an
/// `iothub-errorcode: <name>` header and `{"Message": "ErrorCode:<name>;<message>", "ExceptionMessage":
/// "Tracking ID:<id>-TimeStamp:<time>", "errorCode": <number>}`. Internal causes are logged, never returned.
struct HubErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Calls the route and renders whatever it throws.
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HubError {
            return Self.response(error)
        } catch let error as ServiceError {
            return Self.response(HubError(error))
        } catch let error as HTTPError {
            let status = Int(error.status.code)
            let name = status == 413 ? "MessageTooLarge" : error.status.reasonPhrase.replacingOccurrences(of: " ", with: "")
            return Self.response(HubError(status: status, errorCode: status * 1000 + 1, name: name,
                                          message: error.body ?? error.status.reasonPhrase))
        } catch {
            context.logger.error("hub service request failed", metadata: ["hub.error": "\(error)"])
            return Self.response(HubError(status: 500, errorCode: 500_001, name: "ServerError", message: "internal error"))
        }
    }

    static func response(_ error: HubError) -> Response {
        let trackingId = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let body: [String: Any] = [
            "Message": "ErrorCode:\(error.name);\(error.message)",
            "ExceptionMessage": "Tracking ID:\(trackingId)-TimeStamp:\(timestamp(Date()))",
            "errorCode": error.errorCode,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.iotHubErrorCode] = error.name
        return Response(status: HTTPResponse.Status(code: error.status), headers: headers,
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// IoT Hub's `MM/dd/yyyy HH:mm:ss` in UTC.
    private static func timestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "MM/dd/yyyy HH:mm:ss"
        return formatter.string(from: date)
    }
}

extension HubError {
    /// The hub form of a shared edge failure (authentication, body decoding).
    init(_ error: ServiceError) {
        let status = Int(error.status.code)
        let name = switch status {
        case 400: "ArgumentInvalid"
        case 401, 403: "IotHubUnauthorizedAccess"
        case 404: "NotFound"
        case 413: "MessageTooLarge"
        default: error.status.reasonPhrase.replacingOccurrences(of: " ", with: "")
        }
        self.init(status: status, errorCode: error.errorCode, name: name, message: error.message)
    }
}
