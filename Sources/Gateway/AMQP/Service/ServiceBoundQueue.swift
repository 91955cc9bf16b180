import AMQPCodec
import Foundation
import Hub

/// A hub queue that service receivers read with peek-lock: delivery feedback (`/messages/serviceBound/feedback`) and
/// file-upload notifications (`/messages/serviceBound/filenotifications`). Records stay stored until the receiver
/// accepts the message carrying them; a release (or a lapsed lock, or a closed link) brings them back.
enum ServiceBoundQueue: Sendable {
    case feedback
    case fileNotifications

    /// Locks what is pending into one message; nil when nothing is.
    func lock(on shard: HubShard) async throws -> (lockToken: UUID, message: AMQPMessage)? {
        switch self {
        case .feedback:
            guard let batch = try await shard.lockFeedback() else { return nil }
            return (batch.lockToken, try FeedbackMessage.message(batch, hubName: shard.hostName))
        case .fileNotifications:
            guard let batch = try await shard.lockFileNotification() else { return nil }
            guard let message = try FileNotificationMessage.message(batch, hubName: shard.hostName) else {
                try await shard.releaseFileNotification(lockToken: batch.lockToken)
                return nil
            }
            return (batch.lockToken, message)
        }
    }

    /// The receiver accepted: the records are deleted.
    func complete(_ lockToken: UUID, on shard: HubShard) async throws {
        switch self {
        case .feedback: try await shard.completeFeedback(lockToken: lockToken)
        case .fileNotifications: try await shard.completeFileNotification(lockToken: lockToken)
        }
    }

    /// The receiver released, rejected or modified, or went away: the records are available again.
    func release(_ lockToken: UUID, on shard: HubShard) async throws {
        switch self {
        case .feedback: try await shard.releaseFeedback(lockToken: lockToken)
        case .fileNotifications: try await shard.releaseFileNotification(lockToken: lockToken)
        }
    }
}
