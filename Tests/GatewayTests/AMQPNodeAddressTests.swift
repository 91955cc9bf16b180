@testable import Gateway
import Testing

/// Link addresses as the Azure clients write them, mapped to the shard's nodes.
@Suite struct AMQPNodeAddressTests {
    @Test("every client's spelling of every node", arguments: [
        ("$cbs", AMQPNodeAddress.claimsBasedSecurity),
        ("$management", .management),
        ("amqps://127.0.0.2/hub-1/$management", .management),
        ("amqps://127.0.0.2/hub-1/ConsumerGroups/$Default/Partitions/3",
         .eventHubsPartition(entity: "hub-1", consumerGroup: "$Default", partition: "3")),
        ("amqps://127.0.0.2:5671/hub-1/consumergroups/cg/partitions/0",
         .eventHubsPartition(entity: "hub-1", consumerGroup: "cg", partition: "0")),
        ("amqps://hub.example/messages/events/ConsumerGroups/$Default/Partitions/0",
         .hubEventsRedirect(suffix: "ConsumerGroups/$Default/Partitions/0")),
        ("amqps://hub.example/messages/events/$management", .hubEventsRedirect(suffix: "$management")),
        ("amqps://127.0.0.2/messages/devicebound", .cloudToDevice),
        ("/messages/deviceBound", .cloudToDevice),
        ("/messages/serviceBound/feedback", .feedback),
        ("amqps://127.0.0.2/messages/servicebound/filenotifications", .fileNotifications),
        ("amqps://127.0.0.2/devices/d1/messages/events",
         .device(AMQPDeviceNode(identity: AMQPDeviceIdentity(deviceId: "d1"), kind: .telemetry))),
        ("/devices/Dev-1/messages/deviceBound", .device(AMQPDeviceNode(identity: AMQPDeviceIdentity(deviceId: "Dev-1"), kind: .cloudToDevice))),
        ("amqps://h/devices/d1/methods/devicebound", .device(AMQPDeviceNode(identity: AMQPDeviceIdentity(deviceId: "d1"), kind: .methods))),
        ("amqps://h/devices/d1/modules/m1/twin",
         .device(AMQPDeviceNode(identity: AMQPDeviceIdentity(deviceId: "d1", moduleId: "m1"), kind: .twin))),
        ("amqps://h/devices/d1/modules/m1/messages/events",
         .device(AMQPDeviceNode(identity: AMQPDeviceIdentity(deviceId: "d1", moduleId: "m1"), kind: .telemetry))),
        ("/devices/d1/messages/other", .unknown("devices/d1/messages/other")),
        ("", .unknown("")),
    ] as [(String, AMQPNodeAddress)])
    func parses(_ address: String, _ node: AMQPNodeAddress) {
        #expect(AMQPNodeAddress(address) == node)
    }
}
