import HTTPTypes

extension HTTPField.Name {
    /// `iothub-errorcode`: the IoT Hub error name of a failed service request (`DeviceNotFound`).
    static let iotHubErrorCode = HTTPField.Name("iothub-errorcode")!
    /// `x-ms-message-id`: the id of a queued cloud-to-device message.
    static let msMessageId = HTTPField.Name("x-ms-message-id")!
}
