import Hub

/// The body of `POST /devices/{id}/messages/deviceBound` (Provisio's REST form of IoT Hub's AMQP C2D send):
/// `{"payload": text, "properties": {…}, "messageId", "correlationId", "contentType", "contentEncoding",
/// "ttlSeconds", "ack": "none|positive|negative|full"}`.
struct CloudToDeviceRequest: Decodable, Sendable {
    var payload: String?
    var properties: [String: String]?
    var messageId: String?
    var correlationId: String?
    var contentType: String?
    var contentEncoding: String?
    var ttlSeconds: Double?
    var ack: String?

    /// The feedback the sender asks for; `none` when absent.
    func feedbackRequest() throws(ServiceError) -> FeedbackRequest {
        guard let ack else { return .none }
        guard let request = FeedbackRequest(rawValue: ack.lowercased()) else {
            throw ServiceError.badRequest("ack must be none, positive, negative or full")
        }
        return request
    }
}
