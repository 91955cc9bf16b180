/// The MQTT 3.1.1 rules for topic names and topic filters (spec section 4.7).
///
/// The decoder enforces the topic-name rules on PUBLISH and will topics. For SUBSCRIBE and
/// UNSUBSCRIBE it only checks encoding and length, so the session layer can answer an
/// ill-formed filter with a SUBACK failure (0x80) instead of dropping the connection.
public enum MQTTTopic {
    /// Whether `name` may be published to: non-empty, no U+0000, no `+` or `#` wildcard.
    public static func isValidTopicName(_ name: String) -> Bool {
        guard !name.utf8.isEmpty else { return false }
        for byte in name.utf8 where byte == UInt8(ascii: "+") || byte == UInt8(ascii: "#") || byte == 0 {
            return false
        }
        return true
    }

    /// Whether `filter` may be subscribed to: non-empty, no U+0000, `+` only as a whole level and `#` only as the whole last level.
    public static func isValidTopicFilter(_ filter: String) -> Bool {
        let bytes = filter.utf8
        guard !bytes.isEmpty else { return false }
        var previous: UInt8? = nil
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            let next = bytes.index(after: index)
            let followedBySeparatorOrEnd = next == bytes.endIndex || bytes[next] == UInt8(ascii: "/")
            let precededBySeparatorOrStart = previous == nil || previous == UInt8(ascii: "/")
            switch byte {
            case 0:
                return false
            case UInt8(ascii: "+"):
                guard precededBySeparatorOrStart, followedBySeparatorOrEnd else { return false }
            case UInt8(ascii: "#"):
                guard precededBySeparatorOrStart, next == bytes.endIndex else { return false }
            default:
                break
            }
            previous = byte
            index = next
        }
        return true
    }
}
