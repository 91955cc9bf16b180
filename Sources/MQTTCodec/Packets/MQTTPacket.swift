/// Any MQTT 3.1.1 control packet, in either direction.
public enum MQTTPacket: Equatable, Sendable {
    /// CONNECT (client to server).
    case connect(MQTTConnect)
    /// CONNACK (server to client).
    case connAck(MQTTConnAck)
    /// PUBLISH (both directions).
    case publish(MQTTPublish)
    /// PUBACK: acknowledges a QoS 1 PUBLISH.
    case pubAck(packetIdentifier: UInt16)
    /// PUBREC: first acknowledgement of a QoS 2 PUBLISH.
    case pubRec(packetIdentifier: UInt16)
    /// PUBREL: releases a QoS 2 PUBLISH after PUBREC.
    case pubRel(packetIdentifier: UInt16)
    /// PUBCOMP: completes a QoS 2 exchange.
    case pubComp(packetIdentifier: UInt16)
    /// SUBSCRIBE (client to server).
    case subscribe(MQTTSubscribe)
    /// SUBACK (server to client).
    case subAck(MQTTSubAck)
    /// UNSUBSCRIBE (client to server).
    case unsubscribe(MQTTUnsubscribe)
    /// UNSUBACK (server to client).
    case unsubAck(packetIdentifier: UInt16)
    /// PINGREQ (client to server).
    case pingReq
    /// PINGRESP (server to client).
    case pingResp
    /// DISCONNECT (client to server).
    case disconnect
}
