import Foundation
import NIOCore
import NIOHTTP1

/// A complete HTTP response.
struct HTTPReply: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: ByteBuffer

    /// The body as text, for error messages.
    var text: String { String(buffer: body) }

    /// Decodes the JSON body.
    func decode<Value: Decodable>(_ type: Value.Type) throws -> Value {
        do {
            return try JSONDecoder().decode(type, from: Data(body.readableBytesView))
        } catch {
            throw BenchmarkError("HTTP \(status) body is not the expected JSON: \(text.prefix(200))")
        }
    }
}
