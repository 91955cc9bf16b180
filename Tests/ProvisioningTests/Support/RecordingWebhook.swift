import Foundation
import Provisioning
import Synchronization

/// A `CustomAllocationWebhook` that records each request and answers with what the test says.
final class RecordingWebhook: CustomAllocationWebhook {
    /// One delivered request.
    struct Post: Sendable {
        var url: URL
        var body: JSONValue
        var timeout: Duration
    }

    private let answer: @Sendable (JSONValue) throws -> Data
    private let delivered = Mutex<[Post]>([])

    /// A webhook that answers each request body with `answer`'s bytes (or its error).
    init(answer: @escaping @Sendable (JSONValue) throws -> Data) { self.answer = answer }

    /// A webhook that answers `json`.
    convenience init(answering json: JSONValue) {
        self.init { _ in try JSONEncoder().encode(json) }
    }

    /// A webhook that must not be called.
    static func unused() -> RecordingWebhook {
        RecordingWebhook { _ in throw UnexpectedWebhookCall() }
    }

    func post(url: URL, body: Data, timeout: Duration) async throws -> Data {
        let json = try JSONDecoder().decode(JSONValue.self, from: body)
        delivered.withLock { $0.append(Post(url: url, body: json, timeout: timeout)) }
        return try answer(json)
    }

    /// Every request so far.
    var posts: [Post] { delivered.withLock { $0 } }
}

/// Thrown by `RecordingWebhook.unused()`.
struct UnexpectedWebhookCall: Error {}
