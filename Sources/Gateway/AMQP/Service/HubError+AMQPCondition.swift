import Hub

extension HubError {
    /// The AMQP error condition IoT Hub answers a refused service request with (the service SDKs map
    /// `amqp:not-found` to DeviceNotFound, `amqp:resource-limit-exceeded` to a full device queue,
    /// `amqp:link:message-size-exceeded` to MessageTooLarge).
    var amqpCondition: String {
        switch status {
        case 400: "com.microsoft:argument-error"
        case 401: "amqp:unauthorized-access"
        case 403 where errorCode == 403_004: "amqp:resource-limit-exceeded"
        case 403: "amqp:unauthorized-access"
        case 404: "amqp:not-found"
        case 409, 412: "com.microsoft:precondition-failed"
        case 413: "amqp:link:message-size-exceeded"
        default: "amqp:internal-error"
        }
    }
}
