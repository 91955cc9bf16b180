import Foundation
import Provisioning

/// An event as the read API, webhooks and storage files show it: `partitionId`, `sequenceNumber`, `enqueuedTimeUtc`,
/// `body` (the JSON value of a JSON message in a UTF encoding, else UTF-8 text, else base64), `bodyEncoding`
/// (`json`, `text` or `base64`), `properties` and `systemProperties`.
public struct EventDocument: Codable, Sendable, Equatable {
    /// Partition, as text (Event Hubs' convention).
    public var partitionId: String
    /// Position in the partition.
    public var sequenceNumber: Int64
    /// When routing appended it (ISO 8601, UTC).
    public var enqueuedTimeUtc: String
    /// The body.
    public var body: JSONValue
    /// How `body` holds the bytes.
    public var bodyEncoding: String
    /// Application properties.
    public var properties: [String: String]
    /// System properties.
    public var systemProperties: [String: String]

    /// The document of a stored event.
    public init(_ event: StoredEvent) {
        partitionId = String(event.partition)
        sequenceNumber = event.sequenceNumber
        enqueuedTimeUtc = RegistrationTimestamp.string(event.enqueuedTime)
        let decoded = MessageBodyDecoding.document(event.record.body, contentType: event.record.systemProperties["content-type"],
                                                   contentEncoding: event.record.systemProperties["content-encoding"])
        body = decoded.body
        bodyEncoding = decoded.encoding
        properties = event.record.properties
        systemProperties = event.record.systemProperties
    }

    /// Compact JSON of one document.
    public static func encode(_ event: StoredEvent) throws -> [UInt8] {
        Array(try encoder.encode(EventDocument(event)))
    }

    /// Compact JSON array of documents.
    public static func encode(_ events: [StoredEvent]) throws -> [UInt8] {
        Array(try encoder.encode(events.map(EventDocument.init)))
    }

    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
