import AMQPCodec
import Foundation
import Provisioning

/// The messages and refusals a DPS AMQP connection answers with: a data body holding the same JSON the MQTT and HTTPS
/// front ends send, the retry hint under both spellings the SDKs read (`retry-after` for C, `Retry-After` for C#), and
/// the request's correlation-id when it had one.
enum DPSAMQPReply {
    /// Seconds a device waits before polling an assignment under way.
    static let pollSeconds = 1

    /// An operation status (`assigning` carries the retry hint).
    static func status(_ status: RegistrationOperationStatus, correlationId: AMQPValue?) throws -> AMQPMessage {
        message(try JSONEncoder().encode(status), retryAfter: status.status == .assigning ? pollSeconds : nil, correlationId: correlationId)
    }

    /// A registration that failed where MQTT and HTTPS would answer an error: the request is accepted (the C SDK
    /// treats any other outcome as a broken transport) and the reply says `failed` with DPS's error fields.
    static func failed(_ error: ProvisioningError, operationId: String?, correlationId: AMQPValue?) throws -> AMQPMessage {
        message(try JSONEncoder().encode(FailureBody(error, operationId: operationId)), retryAfter: nil, correlationId: correlationId)
    }

    /// The `rejected` outcome of a malformed, unauthorized or throttled request: the description is DPS's error JSON
    /// (what the C# SDK parses), throttling adds `Retry-After` to the error's info.
    static func rejection(_ error: ProvisioningError, retryAfter: Int?) -> AMQPError {
        let json = (try? JSONEncoder().encode(DPSErrorBody(error))).map { String(decoding: $0, as: UTF8.self) } ?? error.message
        let condition: AMQPSymbol = switch error.status {
        case 401, 403: AMQPError.Condition.unauthorizedAccess
        case 429: AMQPError.Condition.resourceLimitExceeded
        case 404: AMQPError.Condition.notFound
        case 400..<500: AMQPError.Condition.invalidField
        default: AMQPError.Condition.internalError
        }
        let info: AMQPMap? = retryAfter.map { ["Retry-After": .int(Int32(clamping: $0))] }
        return AMQPError(condition: condition, description: json, info: info)
    }

    private static func message(_ json: Data, retryAfter: Int?, correlationId: AMQPValue?) -> AMQPMessage {
        let properties: AMQPMap? = retryAfter.map { seconds in
            [.string("retry-after"): .string(String(seconds)), .string("Retry-After"): .int(Int32(clamping: seconds))]
        }
        return AMQPMessage(properties: correlationId.map { AMQPMessageProperties(correlationId: $0) },
                           applicationProperties: properties, body: .data([Array(json)]))
    }

    /// The JSON of a failed registration: the operation's shape with `status: failed`, plus DPS's error fields.
    struct FailureBody: Encodable {
        var operationId: String?
        var status = "failed"
        var errorCode: Int
        var trackingId: String
        var message: String
        var timestampUtc: String

        init(_ error: ProvisioningError, operationId: String?) {
            let body = DPSErrorBody(error)
            self.operationId = operationId
            errorCode = body.errorCode
            trackingId = body.trackingId
            message = body.message
            timestampUtc = body.timestampUtc
        }
    }
}
