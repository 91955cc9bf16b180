import Foundation

/// One message of an HTTPS telemetry batch (`Content-Type: application/vnd.microsoft.iothub.json`).
struct DeviceMessageBatchItem: Decodable, Sendable {
    /// The body: base64 unless `base64Encoded` is false.
    var body: String
    /// Whether `body` is base64 (the default).
    var base64Encoded: Bool?
    /// Properties under their header names (`iothub-app-…`, `iothub-messageid`, …).
    var properties: [String: String]?

    /// The body bytes; a 400 when base64 does not decode.
    func bodyBytes() throws(ServiceError) -> [UInt8] {
        guard base64Encoded ?? true else { return Array(body.utf8) }
        guard let data = Data(base64Encoded: body) else { throw .badRequest("a batch message body is not valid base64") }
        return Array(data)
    }
}
