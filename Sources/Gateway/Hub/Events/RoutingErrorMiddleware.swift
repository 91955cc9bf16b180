import Foundation
import Hub
import Hummingbird
import HTTPTypes
import Routing

/// Maps routing failures onto IoT Hub errors: unknown endpoints, partitions and checkpoints are 404s, bad arguments
/// 400s; an invalid routing configuration is a 400 whose body also carries the route, `position` and `reason`.
struct RoutingErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as RoutingError {
            switch error.code {
            case .notFound:
                throw HubError(status: 404, errorCode: 404_001, name: "NotFound", message: error.message)
            case .invalidArgument:
                throw HubError.badRequest(error.message)
            case .invalidConfiguration(let details):
                return Self.invalidConfiguration(details)
            }
        }
    }

    /// IoT Hub's error body plus `route`, `position` and `reason` for a condition that does not compile.
    static func invalidConfiguration(_ error: RoutingConfigurationError) -> Response {
        var document: [String: Any] = [
            "Message": "ErrorCode:ArgumentInvalid;\(error.message)",
            "ExceptionMessage": "Tracking ID:\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))",
            "errorCode": 400_004,
        ]
        if let route = error.route { document["route"] = route }
        if let position = error.position { document["position"] = position }
        if let reason = error.reason { document["reason"] = reason }
        let data = (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.iotHubErrorCode] = "ArgumentInvalid"
        return Response(status: .badRequest, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
