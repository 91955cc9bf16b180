import Foundation
import Hummingbird
import HTTPTypes

/// JSON in and out of the DPS service routes: bodies decode into wire types or fail with a 400 saying what is wrong;
/// responses omit nil members and keep `/` unescaped (PEM text).
enum ServiceJSON {
    /// Decodes the request body as `type`.
    static func decode<Value: Decodable>(_ type: Value.Type, from request: Request, context: some RequestContext) async throws -> Value {
        let data = try await bodyData(request, context: context)
        guard !data.isEmpty else { throw ServiceError.badRequest("a JSON request body is required") }
        return try decode(type, from: data)
    }

    /// Decodes the body as `type`, or returns nil for an empty body.
    static func decodeIfPresent<Value: Decodable>(
        _ type: Value.Type, from request: Request, context: some RequestContext
    ) async throws -> Value? {
        let data = try await bodyData(request, context: context)
        return data.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) ? nil : try decode(type, from: data)
    }

    /// Decodes `data`, describing the first problem in the error message.
    static func decode<Value: Decodable>(_ type: Value.Type, from data: Data) throws -> Value {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw ServiceError.badRequest(describe(error))
        } catch {
            throw ServiceError.badRequest("the request body is not valid JSON")
        }
    }

    /// A JSON response.
    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        var headers = extra
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }

    /// An empty 204.
    static func noContent() -> Response { Response(status: .noContent) }

    /// The body, up to the context's `maxUploadSize` (larger bodies are a 413).
    private static func bodyData(_ request: Request, context: some RequestContext) async throws -> Data {
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        return Data(buffer.readableBytesView)
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
            let parts = (keys + (last.map { [$0] } ?? [])).map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return parts.isEmpty ? "the body" : "'" + parts.joined(separator: ".").replacingOccurrences(of: ".[", with: "[") + "'"
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath, key)) is required"
        case .valueNotFound(_, let context):
            return "\(path(context.codingPath)) must not be null"
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)) has the wrong JSON type (expected \(jsonKind(type)))"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "the request body is not valid JSON" : "\(path(context.codingPath)) has an invalid value"
        @unknown default:
            return "the request body does not have the expected shape"
        }
    }

    private static func jsonKind(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is Int.Type, is Double.Type: "a number"
        case is [Any].Type: "an array"
        default: "an object"
        }
    }
}

extension ServiceError {
    /// A 400 with DPS's generic invalid-argument code.
    static func badRequest(_ message: String) -> ServiceError {
        ServiceError(status: .badRequest, errorCode: 400_004, message: message)
    }
}
