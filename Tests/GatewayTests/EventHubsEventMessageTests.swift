import AMQPCodec
import Foundation
@testable import Gateway
import Routing
import Testing

/// A stored device message as the Event Hubs-compatible endpoint delivers it (wire reference §5.4).
@Suite struct EventHubsEventMessageTests {
    let event = StoredEvent(
        partition: 2, sequenceNumber: 41, enqueuedTime: Date(timeIntervalSince1970: 1_704_164_645.678),
        record: EventRecord(deviceId: "dev1", body: Array("{\"t\":1}".utf8), properties: ["alert": "yes", "b key": "v/1&2"],
                            systemProperties: [
                                "iothub-connection-device-id": "dev1", "iothub-connection-auth-method": "{\"scope\":\"device\"}",
                                "iothub-message-source": "Telemetry", "iothub-enqueuedtime": "2024-01-02T03:04:05.6000000Z",
                                "message-id": "mid-1", "correlation-id": "cid-1", "content-type": "application/json",
                                "content-encoding": "utf-8", "user-id": "svc", "dt-subject": "thermostat1",
                            ]))

    @Test("annotations, properties, application properties and the body as one data section")
    func mapping() throws {
        let message = EventHubsEventMessage.message(event, now: Date())
        let annotations = try #require(message.messageAnnotations)
        #expect(annotations[symbol: "x-opt-sequence-number"] == .long(41))
        #expect(annotations[symbol: "x-opt-offset"] == .string("41"))
        #expect(annotations[symbol: "x-opt-enqueued-time"] == .timestamp(1_704_164_645_678))
        #expect(annotations[symbol: "iothub-connection-device-id"] == .string("dev1"))
        #expect(annotations[symbol: "iothub-message-source"] == .string("Telemetry"))
        #expect(annotations[symbol: "iothub-enqueuedtime"] == .timestamp(1_704_164_645_600))
        #expect(annotations[symbol: "dt-subject"] == .string("thermostat1"))
        #expect(annotations[symbol: "message-id"] == nil, "properties-section fields are not repeated as annotations")
        let properties = try #require(message.properties)
        #expect(properties.messageId == .string("mid-1") && properties.correlationId == .string("cid-1"))
        #expect(properties.contentType == "application/json" && properties.contentEncoding == "utf-8")
        #expect(properties.userId == Array("svc".utf8))
        #expect(message.applicationProperties?[string: "b key"] == .string("v/1&2"))
        #expect(message.body == .data([Array("{\"t\":1}".utf8)]))
        #expect(message.deliveryAnnotations == nil)
        // What goes on the wire decodes to the same message.
        #expect(try AMQPMessage(decoding: message.encoded) == message)
    }

    @Test("the receiver runtime metric as delivery annotations")
    func runtimeMetric() {
        let metrics = EventHubsPartitionProperties(entity: "hub-1", partition: "2", beginSequenceNumber: 0, lastEnqueuedSequenceNumber: 57,
                                                   lastEnqueuedOffset: "57", lastEnqueuedTime: Date(timeIntervalSince1970: 1_704_164_700),
                                                   isEmpty: false)
        let annotations = EventHubsEventMessage.message(event, metrics: metrics, now: Date(timeIntervalSince1970: 1_704_164_800))
            .deliveryAnnotations
        #expect(annotations?[symbol: "last_enqueued_sequence_number"] == .long(57))
        #expect(annotations?[symbol: "last_enqueued_offset"] == .string("57"))
        #expect(annotations?[symbol: "last_enqueued_time_utc"] == .timestamp(1_704_164_700_000))
        #expect(annotations?[symbol: "runtime_info_retrieval_time_utc"] == .timestamp(1_704_164_800_000))
    }
}
