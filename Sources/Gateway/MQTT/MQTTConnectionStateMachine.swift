import MQTTCodec

/// The MQTT 3.1.1 server-side connection rules as a value: packets in, actions out, no I/O.
struct MQTTConnectionStateMachine {
    enum State: Equatable {
        case awaitingConnect
        case authenticating
        case connected
        case closed
    }

    /// What the connection must do next.
    enum Action: Equatable {
        /// Ask the authenticator about this CONNECT.
        case authenticate(MQTTConnect)
        /// Answer CONNACK with this refusal code, then close.
        case refuse(MQTTConnectReturnCode, reason: String)
        /// Answer PINGRESP.
        case sendPingResponse
        /// Hand the packet to the accepted session.
        case deliver(MQTTPacket)
        /// Close without an answer (protocol violation or the client's DISCONNECT).
        case close(reason: String)
    }

    private(set) var state: State = .awaitingConnect

    mutating func received(_ packet: MQTTPacket) -> Action {
        switch state {
        case .awaitingConnect:
            guard case .connect(let connect) = packet else {
                return closing("\(packet.typeName) before CONNECT")
            }
            guard connect.protocolName == "MQTT", connect.protocolLevel == 4 else {
                state = .closed
                return .refuse(.unacceptableProtocolVersion,
                               reason: "protocol \(connect.protocolName) level \(connect.protocolLevel) is not MQTT 3.1.1")
            }
            guard !connect.clientIdentifier.isEmpty else {
                state = .closed
                return .refuse(.identifierRejected, reason: "empty client identifier")
            }
            state = .authenticating
            return .authenticate(connect)
        case .authenticating:
            return closing("\(packet.typeName) while CONNECT is being authenticated")
        case .connected:
            switch packet {
            case .pingReq:
                return .sendPingResponse
            case .disconnect:
                return closing("client disconnected")
            case .publish(let publish) where publish.qos == .exactlyOnce:
                return closing("QoS 2 is not supported")
            case .publish, .subscribe, .unsubscribe, .pubAck:
                return .deliver(packet)
            case .connect:
                return closing("second CONNECT on one connection")
            case .connAck, .subAck, .unsubAck, .pingResp, .pubRec, .pubRel, .pubComp:
                return closing("\(packet.typeName) is not a client packet here")
            }
        case .closed:
            return .close(reason: "connection already closed")
        }
    }

    mutating func authenticated(accepted: Bool) {
        guard state == .authenticating else { return }
        state = accepted ? .connected : .closed
    }

    private mutating func closing(_ reason: String) -> Action {
        state = .closed
        return .close(reason: reason)
    }
}
