/// IoT Hub's limits on a cloud-to-device message, checked before it is queued: 64 KB in all (body, application
/// properties and the settable system properties together), a message id of at most 128 characters, and no
/// application property the device SDK would read as a system property (`$`…) or that belongs to the hub (`iothub-`…,
/// such as `iothub-ack`, which only the `ack` field sets).
public enum CloudToDeviceLimits {
    /// The largest message, properties included.
    public static let maximumMessageSize = 64 * 1024
    /// The longest message id.
    public static let maximumMessageIdLength = 128

    /// Throws 400 for a reserved property name or an over-long message id, 413 for a message over 64 KB.
    public static func check(body: [UInt8], messageId: String?, systemValues: [String?], properties: [String: String]) throws(HubError) {
        if let messageId, messageId.utf8.count > maximumMessageIdLength {
            throw .badRequest("messageId may be at most \(maximumMessageIdLength) characters")
        }
        for name in properties.keys where name.isEmpty || name.hasPrefix("$") || name.lowercased().hasPrefix("iothub-") {
            throw .badRequest("cloud-to-device property names must not be empty or start with '$' or 'iothub-'")
        }
        // Sizes are added with overflow checks: every count is a client-controlled length.
        var size = body.count
        for text in systemValues.compactMap({ $0 }) + [messageId].compactMap({ $0 }) {
            size = size.addingReportingOverflow(text.utf8.count).partialValue
        }
        for (name, value) in properties {
            size = size.addingReportingOverflow(name.utf8.count + value.utf8.count).partialValue
            if size > maximumMessageSize { break }
        }
        guard size <= maximumMessageSize else {
            throw .tooLarge("a cloud-to-device message may be at most 64 KB, properties included")
        }
    }
}
