import MQTTCodec
import NIOCore
import Testing

@Suite("Exact wire bytes")
struct MQTTWireVectorTests {
    private func expectWire(_ packet: MQTTPacket, _ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(MQTTTestSupport.encode(packet) == bytes, sourceLocation: sourceLocation)
        #expect(try MQTTTestSupport.decode(bytes) == packet, sourceLocation: sourceLocation)
    }

    @Test("CONNECT as the Azure IoT device SDK sends it: persistent session, SAS credentials, keep-alive 60")
    func azureConnect() throws {
        let username = "provisio.example/dev-0001/?api-version=2021-04-12"
        let password = "SharedAccessSignature sr=provisio.example%2Fdevices%2Fdev-0001&sig=c2lnbmF0dXJl%3D&se=1700000000"
        let packet = MQTTPacket.connect(
            MQTTConnect(
                cleanSession: false,
                keepAliveSeconds: 60,
                clientIdentifier: "dev-0001",
                username: username,
                password: Array(password.utf8)
            )
        )
        var expected: [UInt8] = [0x10, 0xA9, 0x01]  // CONNECT, remaining length 169
        expected += [0x00, 0x04] + Array("MQTT".utf8)
        expected += [0x04]  // protocol level 3.1.1
        expected += [0xC0]  // user name + password, clean session 0, no will
        expected += [0x00, 0x3C]  // keep-alive 60 s
        expected += [0x00, 0x08] + Array("dev-0001".utf8)
        expected += [0x00, 0x31] + Array(username.utf8)
        expected += [0x00, 0x60] + Array(password.utf8)
        #expect(expected.count == 3 + 169)
        try self.expectWire(packet, expected)
    }

    @Test("CONNECT with a will")
    func connectWithWill() throws {
        let packet = MQTTPacket.connect(
            MQTTConnect(
                keepAliveSeconds: 10,
                clientIdentifier: "c",
                will: MQTTWill(topic: "w", payload: ByteBuffer(bytes: [0xFF]), qos: .atLeastOnce, retain: true)
            )
        )
        let expected: [UInt8] = [
            0x10, 0x13, 0x00, 0x04, 0x4D, 0x51, 0x54, 0x54, 0x04,
            0x2E,  // will retain, will QoS 1, will flag, clean session
            0x00, 0x0A, 0x00, 0x01, 0x63, 0x00, 0x01, 0x77, 0x00, 0x01, 0xFF,
        ]
        try self.expectWire(packet, expected)
    }

    @Test("PUBLISH QoS 1")
    func publishQoS1() throws {
        let packet = MQTTPacket.publish(
            MQTTPublish(topic: "a/b", payload: ByteBuffer(string: "hi"), qos: .atLeastOnce, packetIdentifier: 10)
        )
        try self.expectWire(packet, [0x32, 0x09, 0x00, 0x03, 0x61, 0x2F, 0x62, 0x00, 0x0A, 0x68, 0x69])
    }

    @Test("PUBLISH QoS 2 with DUP and RETAIN")
    func publishFlags() throws {
        let packet = MQTTPacket.publish(
            MQTTPublish(topic: "t", payload: ByteBuffer(), qos: .exactlyOnce, retain: true, duplicate: true, packetIdentifier: 0x0102)
        )
        try self.expectWire(packet, [0x3D, 0x05, 0x00, 0x01, 0x74, 0x01, 0x02])
    }

    @Test("SUBSCRIBE")
    func subscribe() throws {
        let packet = MQTTPacket.subscribe(
            MQTTSubscribe(
                packetIdentifier: 1,
                subscriptions: [MQTTSubscription(topicFilter: "a/#", qos: .atLeastOnce), MQTTSubscription(topicFilter: "+", qos: .exactlyOnce)]
            )
        )
        try self.expectWire(packet, [0x82, 0x0C, 0x00, 0x01, 0x00, 0x03, 0x61, 0x2F, 0x23, 0x01, 0x00, 0x01, 0x2B, 0x02])
    }

    @Test("SUBACK with granted and failed subscriptions")
    func subAck() throws {
        let packet = MQTTPacket.subAck(
            MQTTSubAck(packetIdentifier: 1, returnCodes: [.granted(.atMostOnce), .granted(.atLeastOnce), .granted(.exactlyOnce), .failure])
        )
        try self.expectWire(packet, [0x90, 0x06, 0x00, 0x01, 0x00, 0x01, 0x02, 0x80])
    }

    @Test("UNSUBSCRIBE")
    func unsubscribe() throws {
        let packet = MQTTPacket.unsubscribe(MQTTUnsubscribe(packetIdentifier: 0x1234, topicFilters: ["x"]))
        try self.expectWire(packet, [0xA2, 0x05, 0x12, 0x34, 0x00, 0x01, 0x78])
    }

    @Test("CONNACK")
    func connAck() throws {
        try self.expectWire(.connAck(MQTTConnAck(sessionPresent: true, returnCode: .accepted)), [0x20, 0x02, 0x01, 0x00])
        try self.expectWire(.connAck(MQTTConnAck(returnCode: .unacceptableProtocolVersion)), [0x20, 0x02, 0x00, 0x01])
    }

    @Test("acknowledgements, pings and DISCONNECT")
    func shortPackets() throws {
        try self.expectWire(.pubAck(packetIdentifier: 0x0A0B), [0x40, 0x02, 0x0A, 0x0B])
        try self.expectWire(.pubRec(packetIdentifier: 1), [0x50, 0x02, 0x00, 0x01])
        try self.expectWire(.pubRel(packetIdentifier: 1), [0x62, 0x02, 0x00, 0x01])
        try self.expectWire(.pubComp(packetIdentifier: 1), [0x70, 0x02, 0x00, 0x01])
        try self.expectWire(.unsubAck(packetIdentifier: 1), [0xB0, 0x02, 0x00, 0x01])
        try self.expectWire(.pingReq, [0xC0, 0x00])
        try self.expectWire(.pingResp, [0xD0, 0x00])
        try self.expectWire(.disconnect, [0xE0, 0x00])
    }
}
