import Foundation
import Routing

/// A dead letter: the event document, attempts, the last failure and when it was given up.
struct DeadLetterDocument: Encodable, Sendable {
    var event: EventDocument
    var attempts: Int
    var reason: String
    var failedTimeUtc: String

    init(_ letter: DeadLetter) {
        event = EventDocument(letter.event)
        attempts = letter.attempts
        reason = letter.reason
        failedTimeUtc = ISO8601DateFormatter().string(from: letter.failedTime)
    }
}
