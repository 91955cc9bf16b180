/// The `$` names of message system properties in conditions and the service names they are stored under.
enum RoutingSystemProperty {
    /// Query name (lower-cased) → stored name.
    static let names: [String: String] = [
        "$contenttype": "content-type",
        "$contentencoding": "content-encoding",
        "$connectiondeviceid": "iothub-connection-device-id",
        "$connectionmoduleid": "iothub-connection-module-id",
        "$connectionauthmethod": "iothub-connection-auth-method",
        "$messageid": "message-id",
        "$correlationid": "correlation-id",
        "$userid": "user-id",
        "$to": "to",
        "$expirytimeutc": "expiry-time-utc",
        "$enqueuedtime": "iothub-enqueuedtime",
        "$messagesource": "iothub-message-source",
        "$outputname": "output-name",
        "$interfaceid": "interface-id",
        "$dt-dataschema": "dt-dataschema",
        "$dt-subject": "dt-subject",
    ]

    /// The names listed in error messages.
    static let documentedNames = "$contentType, $contentEncoding, $connectionDeviceId, $connectionModuleId, $messageId, "
        + "$correlationId, $userId, $to, $expiryTimeUtc, $enqueuedTime, $messageSource, $iothub-…, $body, $twin"

    /// The stored name of `$name`: a known alias, or any `$iothub-…` name verbatim.
    static func serviceName(for name: String) -> String? {
        let lowered = name.lowercased()
        if let known = names[lowered] { return known }
        if lowered.hasPrefix("$iothub-") { return String(lowered.dropFirst()) }
        return nil
    }
}
