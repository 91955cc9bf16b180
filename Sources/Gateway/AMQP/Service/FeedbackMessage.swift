import AMQPCodec
import Foundation
import Hub

/// A batch of locked feedback records as IoT Hub sends it on `/messages/serviceBound/feedback` (wire reference
/// §7.2): a JSON array in one data section, content type `application/vnd.microsoft.iothub.feedback.json`, the hub
/// as user-id (the C# client requires one) and `iothub-enqueuedtime`; the lock token is the delivery tag.
enum FeedbackMessage {
    /// The content type the C# service client checks.
    static let contentType: AMQPSymbol = "application/vnd.microsoft.iothub.feedback.json"

    /// The message carrying `batch` for `hubName`.
    static func message(_ batch: LockedBatch<FeedbackRecord>, hubName: String) throws -> AMQPMessage {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let body = try encoder.encode(batch.records)
        var properties = AMQPMessageProperties(messageId: .string(batch.lockToken.uuidString.lowercased()),
                                               userId: Array(hubName.utf8), contentType: contentType)
        properties.contentEncoding = "utf-8"
        var annotations = AMQPMap()
        annotations[symbol: "iothub-enqueuedtime"] = .timestamp(batch.lockedAt)
        return AMQPMessage(messageAnnotations: annotations, properties: properties, body: .data([Array(body)]))
    }

    /// The delivery tag of a lock: its 16 bytes (C# clients read the tag as a GUID lock token).
    static func deliveryTag(_ lockToken: UUID) -> [UInt8] {
        withUnsafeBytes(of: lockToken.uuid) { Array($0) }
    }
}
