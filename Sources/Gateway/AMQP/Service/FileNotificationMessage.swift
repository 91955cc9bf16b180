import AMQPCodec
import Foundation
import Hub

/// A locked file-upload notification as IoT Hub sends it on `/messages/serviceBound/filenotifications` (wire
/// reference §7.3): one JSON object in a data section, content type
/// `application/vnd.microsoft.iothub.filenotification.json`; the lock token is the delivery tag.
enum FileNotificationMessage {
    /// The content type the C# service client expects.
    static let contentType: AMQPSymbol = "application/vnd.microsoft.iothub.filenotification.json"

    /// The message carrying the one notification of `batch` for `hubName`; nil for an empty batch.
    static func message(_ batch: LockedBatch<FileNotification>, hubName: String) throws -> AMQPMessage? {
        guard let notification = batch.records.first else { return nil }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let body = try encoder.encode(notification)
        var properties = AMQPMessageProperties(messageId: .string(batch.lockToken.uuidString.lowercased()),
                                               userId: Array(hubName.utf8), contentType: contentType)
        properties.contentEncoding = "utf-8"
        var annotations = AMQPMap()
        annotations[symbol: "iothub-enqueuedtime"] = .timestamp(batch.lockedAt)
        return AMQPMessage(messageAnnotations: annotations, properties: properties, body: .data([Array(body)]))
    }
}
