import MQTTCodec
import Testing

@Suite("Topic name and filter rules")
struct MQTTTopicTests {
    @Test("valid topic filters", arguments: [
        "#", "+", "+/+", "/+", "a/#", "a/+/c", "sport/tennis/player1/#", "+/tennis/#", "/", "a//b", "$SYS/#", "ü/+",
    ])
    func validFilters(_ filter: String) {
        #expect(MQTTTopic.isValidTopicFilter(filter))
    }

    @Test("invalid topic filters", arguments: ["", "a#", "a/#/b", "#/", "a+", "+a", "a/b+/c", "##", "a\u{0}b"])
    func invalidFilters(_ filter: String) {
        #expect(!MQTTTopic.isValidTopicFilter(filter))
    }

    @Test("topic names", arguments: [("a/b", true), ("/", true), ("$SYS/x", true), ("", false), ("a/+", false), ("#", false), ("a\u{0}", false)])
    func topicNames(_ name: String, _ valid: Bool) {
        #expect(MQTTTopic.isValidTopicName(name) == valid)
    }

    @Test("SUBSCRIBE decodes an ill-formed filter so the session can refuse it with SUBACK 0x80")
    func illFormedFilterDecodes() throws {
        let bytes: [UInt8] = [0x82, 0x07, 0x00, 0x01] + MQTTTestSupport.string("a#") + [0x00]
        let packet = try MQTTTestSupport.decode(bytes)
        #expect(packet == .subscribe(MQTTSubscribe(packetIdentifier: 1, subscriptions: [MQTTSubscription(topicFilter: "a#", qos: .atMostOnce)])))
    }

    @Test("SUBACK return codes map to and from their wire values")
    func subAckReturnCodes() {
        #expect(MQTTSubAckReturnCode(rawValue: 0x80) == .failure)
        #expect(MQTTSubAckReturnCode(rawValue: 2) == .granted(.exactlyOnce))
        #expect(MQTTSubAckReturnCode(rawValue: 3) == nil)
        #expect(MQTTSubAckReturnCode.failure.rawValue == 0x80)
    }
}
