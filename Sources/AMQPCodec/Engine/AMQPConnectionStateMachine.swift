import NIOCore

/// The server side of one AMQP 1.0 connection as a value: protocol headers, SASL, open/close, sessions and their
/// windows, links and their credit in both directions, multi-frame transfers, dispositions and idle timeouts. Inputs
/// are what arrived and what the application decided; outputs are actions. No I/O, time passed in.
public struct AMQPConnectionStateMachine {
    enum Phase: Equatable {
        case awaitingHeader
        case awaitingSASLInit
        case authenticating
        /// A `sasl-challenge` went out; the peer's `sasl-response` is awaited.
        case challenged
        case awaitingAMQPHeader
        case awaitingOpen
        case open
        case closed
    }

    public let configuration: AMQPConnectionConfiguration
    private(set) var phase: Phase = .awaitingHeader
    private var sessions: [UInt16: AMQPSessionState] = [:]
    /// Channels the peer ended recently: pyamqp can still send a detach there, which is ignored.
    private var endedChannels: Set<UInt16> = []
    /// Input that arrived while SASL was being decided (pyamqp pipelines its header and open).
    private var queued: [AMQPInbound] = []
    /// The mechanism of the SASL exchange under way (named again when a challenge's response arrives).
    private var saslMechanism: AMQPSymbol?
    /// A pipelining client sends a handful of frames before the SASL outcome; more than this is a flood.
    static let maximumQueuedInput = 64
    /// Keep-alives go no faster than this, whatever idle timeout the peer asks for.
    static let minimumKeepAliveInterval = TimeAmount.milliseconds(100)
    /// The negotiated frame size for what the server sends.
    private(set) var outgoingFrameSize: UInt32 = 512
    private var peerIdleTimeout: TimeAmount?
    private var lastReceived: NIODeadline
    private var lastSent: NIODeadline

    /// Creates the machine for a connection accepted at `now`.
    public init(configuration: AMQPConnectionConfiguration, now: NIODeadline) {
        self.configuration = configuration
        lastReceived = now
        lastSent = now
    }

    /// Whether the connection is open (after `open`, before `close`).
    public var isOpen: Bool { phase == .open }

    // MARK: - Input from the wire

    /// A header or frame arrived.
    public mutating func received(_ inbound: AMQPInbound, now: NIODeadline) -> [AMQPConnectionAction] {
        lastReceived = now
        if phase == .challenged, case .frame(.sasl(.response(let response))) = inbound {
            phase = .authenticating
            return [.authenticate(mechanism: saslMechanism ?? "", initialResponse: response, hostname: nil)]
        }
        if phase == .authenticating || phase == .challenged {
            guard queued.count < Self.maximumQueuedInput else {
                return closing(AMQPError(condition: AMQPError.Condition.resourceLimitExceeded,
                                         description: "more than \(Self.maximumQueuedInput) frames before the SASL outcome"))
            }
            queued.append(inbound)
            return []
        }
        return handle(inbound)
    }

    /// The decoder refused the bytes: the connection ends with a framing or decode error.
    public mutating func decodingFailed(_ error: AMQPCodecError) -> [AMQPConnectionAction] {
        let condition = error.code == .limitExceeded || error.code == .malformed && phase != .open
            ? AMQPError.Condition.framingError : AMQPError.Condition.decodeError
        switch phase {
        case .awaitingHeader:
            // Not an AMQP 1.0 header (or garbage): answer with the header this server speaks, then close (part 2, 2.2).
            return refuseHeader(saslDone: false)
        case .awaitingAMQPHeader where error.code == .unsupportedProtocol:
            return refuseHeader(saslDone: true)
        default:
            return closing(AMQPError(condition: condition, description: error.message))
        }
    }

    private mutating func handle(_ inbound: AMQPInbound) -> [AMQPConnectionAction] {
        switch (phase, inbound) {
        case (.closed, _):
            return []
        case (.awaitingHeader, .header(.sasl)) where !configuration.saslMechanisms.isEmpty:
            phase = .awaitingSASLInit
            return [.send([.header(.sasl), .frame(.sasl(.mechanisms(configuration.saslMechanisms)))])]
        case (.awaitingHeader, .header(.amqp)) where configuration.allowsPlainAMQP:
            phase = .awaitingOpen
            return [.send([.header(.amqp)])]
        case (.awaitingHeader, _):
            // A header this server does not speak (or a frame before any header): say what it speaks, then close.
            return refuseHeader(saslDone: false)
        case (.awaitingAMQPHeader, .header(.sasl)), (.awaitingAMQPHeader, .header(.tls)):
            // After SASL only the AMQP header is right.
            return refuseHeader(saslDone: true)
        case (.awaitingSASLInit, .frame(.sasl(.initial(let mechanism, let response, let hostname)))):
            guard configuration.saslMechanisms.contains(mechanism) else {
                phase = .closed
                return [.send([.frame(.sasl(.outcome(code: 1, additionalData: nil)))]), .closeConnection(nil)]
            }
            phase = .authenticating
            saslMechanism = mechanism
            return [.authenticate(mechanism: mechanism, initialResponse: response, hostname: hostname)]
        case (.awaitingSASLInit, _):
            phase = .closed
            return [.send([.frame(.sasl(.outcome(code: 2, additionalData: nil)))]), .closeConnection(nil)]
        case (.awaitingAMQPHeader, .header(.amqp)):
            phase = .awaitingOpen
            return [.send([.header(.amqp)])]
        case (.awaitingAMQPHeader, .frame):
            return closing(AMQPError(condition: AMQPError.Condition.framingError, description: "a frame before the AMQP header"))
        case (_, .header):
            return closing(AMQPError(condition: AMQPError.Condition.framingError, description: "an unexpected protocol header"))
        case (_, .frame(.sasl)):
            return closing(AMQPError(condition: AMQPError.Condition.framingError, description: "a SASL frame after SASL"))
        case (.awaitingOpen, .frame(.amqp(_, .open(let open)?, _))):
            return opened(open)
        case (.awaitingOpen, .frame(.amqp(_, nil, _))):
            return []
        case (.awaitingOpen, .frame):
            return closing(AMQPError(condition: AMQPError.Condition.illegalState, description: "a frame before open"))
        case (.open, .frame(.amqp(let channel, let performative, let payload))):
            guard let performative else { return [] }
            return handleOpen(performative, channel: channel, payload: payload)
        default:
            return []
        }
    }

    private mutating func refuseHeader(saslDone: Bool) -> [AMQPConnectionAction] {
        phase = .closed
        queued = []
        let supported: AMQPProtocolHeader = saslDone || configuration.saslMechanisms.isEmpty ? .amqp : .sasl
        return [.send([.header(supported)]), .closeConnection(nil)]
    }

    /// Continues the SASL exchange instead of deciding: sends `sasl-challenge` with `data` (e.g. the TPM's activation
    /// blob). The peer's `sasl-response` comes back as another `.authenticate` action (its bytes as `initialResponse`,
    /// hostname nil), answered again with `challenge(_:)` or `authenticated(_:)`. Other input meanwhile is queued.
    public mutating func challenge(_ data: [UInt8]) -> [AMQPConnectionAction] {
        guard phase == .authenticating else { return [] }
        phase = .challenged
        return [.send([.frame(.sasl(.challenge(data)))])]
    }

    /// The application's SASL decision; queued input is handled next. A refusal is answered with `failureCode`
    /// (1 auth, 2 sys, 3 sys-perm, 4 sys-temp: a store that could not be asked is 4, so the client may retry).
    public mutating func authenticated(_ accepted: Bool, failureCode: UInt8 = 1, now: NIODeadline) -> [AMQPConnectionAction] {
        // While challenged only a refusal makes sense (the server gives up on the exchange).
        guard phase == .authenticating || phase == .challenged && !accepted else { return [] }
        guard accepted else {
            phase = .closed
            queued = []
            let code = (1...4).contains(failureCode) ? failureCode : 1
            return [.send([.frame(.sasl(.outcome(code: code, additionalData: nil)))]), .closeConnection(nil)]
        }
        phase = .awaitingAMQPHeader
        var actions: [AMQPConnectionAction] = [.send([.frame(.sasl(.outcome(code: 0, additionalData: nil)))])]
        let pending = queued
        queued = []
        for inbound in pending where phase != .authenticating {
            actions += handle(inbound)
        }
        return actions
    }

    private mutating func opened(_ open: AMQPOpen) -> [AMQPConnectionAction] {
        let peerMax = open.maxFrameSize ?? UInt32.max
        guard peerMax >= 512 else {
            return closing(AMQPError(condition: AMQPError.Condition.frameSizeTooSmall, description: "max-frame-size below 512"))
        }
        outgoingFrameSize = min(peerMax, configuration.maxFrameSize)
        if let timeout = open.idleTimeOut, timeout > 0 {
            peerIdleTimeout = max(.milliseconds(Int64(timeout)), Self.minimumKeepAliveInterval * 2)
        }
        phase = .open
        let reply = AMQPOpen(containerId: configuration.containerId, hostname: nil, maxFrameSize: configuration.maxFrameSize,
                             channelMax: configuration.channelMax, idleTimeOut: configuration.idleTimeoutMilliseconds.map { $0 / 2 })
        return [.send([.frame(.amqp(.open(reply), channel: 0))]), .opened(open)]
    }

    // MARK: - Performatives on an open connection

    private mutating func handleOpen(_ performative: AMQPPerformative, channel: UInt16, payload: ByteBuffer) -> [AMQPConnectionAction] {
        switch performative {
        case .close:
            phase = .closed
            let links = closeEverything()
            return links + [.send([.frame(.amqp(.close(AMQPEnding()), channel: 0))]), .closeConnection(nil)]
        case .open:
            return closing(AMQPError(condition: AMQPError.Condition.illegalState, description: "a second open"))
        case .begin(let begin):
            return beginSession(begin, channel: channel)
        default:
            break
        }
        guard var session = sessions[channel] else {
            if endedChannels.contains(channel) { return [] }
            return closing(AMQPError(condition: AMQPError.Condition.notAllowed, description: "no session on channel \(channel)"))
        }
        var actions: [AMQPConnectionAction] = []
        switch performative {
        case .end:
            sessions[channel] = nil
            endedChannels.insert(channel)
            actions += Self.openLinks(session).map { .linkClosed(AMQPLinkID(channel: channel, handle: $0), error: nil) }
            actions.append(.send([.frame(.amqp(.end(AMQPEnding()), channel: channel))]))
            return actions
        case .attach(let attach):
            guard attach.handle <= configuration.handleMax else {
                // Part 2, 2.7.2: a handle outside the announced range closes the connection with framing-error.
                return closing(AMQPError(condition: AMQPError.Condition.framingError,
                                         description: "handle \(attach.handle) is above handle-max \(configuration.handleMax)"))
            }
            guard session.links[attach.handle] == nil else {
                return endSession(channel, AMQPError(condition: AMQPError.Condition.handleInUse, description: "handle \(attach.handle) is in use"))
            }
            var link = AMQPLinkState(role: attach.role == .sender ? .receiver : .sender, name: attach.name)
            link.peerMaxMessageSize = attach.maxMessageSize
            if link.role == .receiver { link.deliveryCount = attach.initialDeliveryCount ?? 0 }
            session.links[attach.handle] = link
            sessions[channel] = session
            return [.attachRequested(AMQPLinkRequest(id: AMQPLinkID(channel: channel, handle: attach.handle), attach: attach))]
        case .detach(let detach):
            // An unknown handle is tolerated: a client may detach twice while it closes.
            guard let link = session.links.removeValue(forKey: detach.handle) else { return [] }
            sessions[channel] = session
            // The answer to the server's own detach: the handle is free again, nothing more to say.
            if link.detaching { return [] }
            let id = AMQPLinkID(channel: channel, handle: detach.handle)
            var frames: [AMQPOutbound] = []
            if !link.attached {
                // The peer gave up before the application decided: the server's attach must still precede its detach.
                frames.append(.frame(.amqp(.attach(AMQPAttach(name: link.name, handle: detach.handle, role: link.role, source: nil,
                                                              target: nil, initialDeliveryCount: link.role == .sender ? 0 : nil)),
                                           channel: channel)))
            }
            frames.append(.frame(.amqp(.detach(AMQPDetach(handle: detach.handle, closed: detach.closed ?? false)), channel: channel)))
            return [.send(frames), .linkClosed(id, error: detach.error)]
        case .flow(let flow):
            return sessionFlow(flow, channel: channel, session: &session)
        case .transfer(let transfer):
            return incomingTransfer(transfer, payload: payload, channel: channel, session: &session)
        case .disposition(let disposition):
            return incomingDisposition(disposition, channel: channel, session: &session)
        default:
            return []
        }
    }

    private mutating func beginSession(_ begin: AMQPBegin, channel: UInt16) -> [AMQPConnectionAction] {
        guard begin.remoteChannel == nil else {
            return closing(AMQPError(condition: AMQPError.Condition.notAllowed, description: "this server does not begin sessions"))
        }
        guard channel <= configuration.channelMax else {
            // Part 2, 2.7.1: a channel outside the announced range closes the connection with framing-error.
            return closing(AMQPError(condition: AMQPError.Condition.framingError,
                                     description: "channel \(channel) is above channel-max \(configuration.channelMax)"))
        }
        guard sessions[channel] == nil else {
            return closing(AMQPError(condition: AMQPError.Condition.notAllowed, description: "channel \(channel) already has a session"))
        }
        endedChannels.remove(channel)
        var session = AMQPSessionState(incomingWindow: configuration.incomingWindow)
        session.nextIncomingId = begin.nextOutgoingId
        session.remoteIncomingWindow = begin.incomingWindow
        sessions[channel] = session
        let reply = AMQPBegin(remoteChannel: channel, nextOutgoingId: 0, incomingWindow: configuration.incomingWindow,
                              outgoingWindow: UInt32.max, handleMax: configuration.handleMax)
        return [.send([.frame(.amqp(.begin(reply), channel: channel))])]
    }

    private mutating func sessionFlow(_ flow: AMQPFlow, channel: UInt16, session: inout AMQPSessionState) -> [AMQPConnectionAction] {
        // The peer's window for what the server sends: next-incoming-id + incoming-window - next-outgoing-id (part 2,
        // 2.5.6). A peer that counts deliveries rather than frames can make that "negative": no window, not 4 billion.
        let wasClosed = session.remoteIncomingWindow == 0
        let base = flow.nextIncomingId ?? 0
        let window = base &+ flow.incomingWindow &- session.nextOutgoingId
        session.remoteIncomingWindow = window > UInt32(Int32.max) ? 0 : window
        var actions: [AMQPConnectionAction] = []
        if let handle = flow.handle {
            guard var link = session.links[handle] else {
                sessions[channel] = session
                return endSession(channel, AMQPError(condition: AMQPError.Condition.unattachedHandle, description: "flow for unknown handle \(handle)"))
            }
            guard !link.detaching else {
                sessions[channel] = session
                return []
            }
            if link.role == .sender, let credit = flow.linkCredit {
                // credit = peer's delivery-count + link-credit - our delivery-count (part 2, 2.6.7); the peer's count
                // is our initial 0 until it has seen our attach. More than it granted means its count is behind ours.
                let peerCount = flow.deliveryCount ?? 0
                link.credit = peerCount &+ credit &- link.deliveryCount
                if link.credit > credit { link.credit = credit }
                link.drain = flow.drain ?? false
                if link.attached { actions.append(.credit(AMQPLinkID(channel: channel, handle: handle), available: link.credit, drain: link.drain)) }
            } else if link.role == .receiver, let peerCount = flow.deliveryCount {
                // The peer sender's count may be ahead of ours (it drained or aborted): what it used is gone.
                let left = link.deliveryCount &+ link.credit &- peerCount
                if left <= link.credit {
                    link.credit = left
                    link.deliveryCount = peerCount
                }
            }
            session.links[handle] = link
            if flow.echo == true { actions.append(.send([.frame(.amqp(linkFlow(session, handle: handle, link: link), channel: channel))])) }
        } else if flow.echo == true {
            actions.append(.send([.frame(.amqp(sessionOnlyFlow(session), channel: channel))]))
        }
        if wasClosed, session.remoteIncomingWindow > 0 {
            // Links that had credit but no session window may send again.
            for (handle, link) in session.links.sorted(by: { $0.key < $1.key })
            where handle != flow.handle && link.role == .sender && link.attached && !link.detaching && link.credit > 0 {
                actions.append(.credit(AMQPLinkID(channel: channel, handle: handle), available: link.credit, drain: link.drain))
            }
        }
        sessions[channel] = session
        return actions
    }

    private mutating func incomingTransfer(_ transfer: AMQPTransfer, payload: ByteBuffer, channel: UInt16,
                                           session: inout AMQPSessionState) -> [AMQPConnectionAction] {
        guard session.incomingWindow > 0 else {
            sessions[channel] = session
            return endSession(channel, AMQPError(condition: AMQPError.Condition.windowViolation, description: "transfer beyond the session window"))
        }
        // Every transfer frame uses the session window, also one for a link being detached.
        session.incomingWindow -= 1
        session.nextIncomingId &+= 1
        var actions: [AMQPConnectionAction] = []
        // Keep the peer's window open: reopen it once half is used.
        if session.incomingWindow <= configuration.incomingWindow / 2 {
            session.incomingWindow = configuration.incomingWindow
            actions.append(.send([.frame(.amqp(sessionOnlyFlow(session), channel: channel))]))
        }
        guard var link = session.links[transfer.handle] else {
            sessions[channel] = session
            return endSession(channel, AMQPError(condition: AMQPError.Condition.unattachedHandle,
                                                 description: "transfer on handle \(transfer.handle), which is not attached"))
        }
        if link.detaching {
            // The rest of a delivery the server refused (e.g. too large), already in flight.
            sessions[channel] = session
            return actions
        }
        guard link.role == .receiver else {
            sessions[channel] = session
            return endSession(channel, AMQPError(condition: AMQPError.Condition.notAllowed,
                                                 description: "transfer on handle \(transfer.handle), where the server is the sender"))
        }
        let id = AMQPLinkID(channel: channel, handle: transfer.handle)
        if var partial = link.partial {
            if let deliveryId = transfer.deliveryId, deliveryId != partial.deliveryId {
                sessions[channel] = session
                return actions + detachLink(id, AMQPError(condition: AMQPError.Condition.notAllowed,
                                                          description: "delivery \(deliveryId) began before delivery \(partial.deliveryId) ended"))
            }
            if transfer.aborted == true {
                link.partial = nil
            } else {
                var more = payload
                partial.payload.writeBuffer(&more)
                if transfer.settled == true { partial.settled = true }
                link.partial = partial
            }
        } else {
            guard link.attached else {
                sessions[channel] = session
                return actions + detachLink(id, AMQPError(condition: AMQPError.Condition.transferLimitExceeded,
                                                          description: "transfer before the link was attached (no credit yet)"))
            }
            guard let deliveryId = transfer.deliveryId else {
                sessions[channel] = session
                return actions + detachLink(id, AMQPError(condition: AMQPError.Condition.invalidField,
                                                          description: "the first transfer of a delivery has no delivery-id"))
            }
            guard link.credit > 0 else {
                session.links[transfer.handle] = link
                sessions[channel] = session
                return actions + detachLink(id, AMQPError(condition: AMQPError.Condition.transferLimitExceeded,
                                                          description: "transfer without link credit"))
            }
            link.credit -= 1
            link.deliveryCount &+= 1
            link.partial = transfer.aborted == true ? nil : (deliveryId, transfer.deliveryTag ?? [], transfer.messageFormat ?? 0,
                                                              transfer.settled ?? false, payload)
        }
        if let partial = link.partial, UInt64(partial.payload.readableBytes) > configuration.maxMessageSize {
            link.partial = nil
            session.links[transfer.handle] = link
            sessions[channel] = session
            return actions + detachLink(id, AMQPError(condition: AMQPError.Condition.messageSizeExceeded,
                                                      description: "a message over \(configuration.maxMessageSize) bytes"))
        }
        if transfer.more != true, let partial = link.partial {
            link.partial = nil
            if !partial.settled { session.incomingUnsettled[partial.deliveryId] = transfer.handle }
            actions.append(.delivery(AMQPIncomingDelivery(link: id, deliveryId: partial.deliveryId, deliveryTag: partial.tag,
                                                          messageFormat: partial.format, settled: partial.settled, payload: partial.payload)))
        }
        session.links[transfer.handle] = link
        sessions[channel] = session
        return actions
    }

    private mutating func incomingDisposition(_ disposition: AMQPDisposition, channel: UInt16,
                                              session: inout AMQPSessionState) -> [AMQPConnectionAction] {
        guard disposition.role == .receiver else {
            // The peer as sender settling its own deliveries: forget them.
            let last = disposition.last ?? disposition.first
            if disposition.settled == true {
                session.incomingUnsettled = session.incomingUnsettled.filter { !Self.contains($0.key, first: disposition.first, last: last) }
            }
            sessions[channel] = session
            return []
        }
        let last = disposition.last ?? disposition.first
        var actions: [AMQPConnectionAction] = []
        // Walk the links' unsettled deliveries, not the range: a peer's range can be huge.
        for (handle, var link) in session.links where link.role == .sender && !link.detaching && !link.unsettled.isEmpty {
            let hits = link.unsettled.keys.filter { Self.contains($0, first: disposition.first, last: last) }.sorted()
            guard !hits.isEmpty else { continue }
            for deliveryId in hits {
                let tag = link.unsettled[deliveryId] ?? []
                if disposition.settled == true || disposition.state?.isOutcome == true { link.unsettled[deliveryId] = nil }
                actions.append(.outcome(AMQPLinkID(channel: channel, handle: handle), deliveryId: deliveryId, deliveryTag: tag,
                                        state: disposition.state, settled: disposition.settled ?? false))
            }
            session.links[handle] = link
        }
        sessions[channel] = session
        return actions
    }

    private static func contains(_ id: UInt32, first: UInt32, last: UInt32) -> Bool {
        // Serial-number arithmetic: the range may wrap.
        id &- first <= last &- first
    }

    // MARK: - Decisions of the application

    /// Accepts a requested link: the server's attach answers it. `source`/`target` default to the peer's; `credit`
    /// is granted at once on a link the server receives on.
    public mutating func acceptAttach(_ request: AMQPLinkRequest, source: AMQPTerminus? = nil, target: AMQPTerminus? = nil,
                                      properties: AMQPMap? = nil, credit: UInt32 = 0) -> [AMQPConnectionAction] {
        let id = request.id
        guard var session = sessions[id.channel], var link = session.links[id.handle], !link.attached, !link.detaching else { return [] }
        link.attached = true
        let peer = request.attach
        let reply = AMQPAttach(name: peer.name, handle: id.handle, role: link.role, senderSettleMode: peer.senderSettleMode ?? .mixed,
                               receiverSettleMode: peer.receiverSettleMode ?? .first, source: source ?? peer.source, target: target ?? peer.target,
                               initialDeliveryCount: link.role == .sender ? 0 : nil, maxMessageSize: configuration.maxMessageSize,
                               properties: properties)
        var frames: [AMQPOutbound] = [.frame(.amqp(.attach(reply), channel: id.channel))]
        var actions: [AMQPConnectionAction] = []
        if link.role == .receiver, credit > 0 {
            link.credit = credit
            frames.append(.frame(.amqp(linkFlow(session, handle: id.handle, link: link), channel: id.channel)))
        } else if link.role == .sender, link.credit > 0 {
            actions.append(.credit(id, available: link.credit, drain: link.drain))
        }
        session.links[id.handle] = link
        sessions[id.channel] = session
        return [.send(frames)] + actions
    }

    /// Refuses a requested link with `error`: an attach without the node, then a detach carrying the error.
    public mutating func refuseAttach(_ request: AMQPLinkRequest, error: AMQPError) -> [AMQPConnectionAction] {
        let id = request.id
        guard var session = sessions[id.channel], var link = session.links[id.handle], !link.attached, !link.detaching else { return [] }
        // The handle stays taken until the peer's detach answers: its pipelined flows for the link are not errors.
        link.detaching = true
        session.links[id.handle] = link
        sessions[id.channel] = session
        let peer = request.attach
        let reply = AMQPAttach(name: peer.name, handle: id.handle, role: link.role, senderSettleMode: peer.senderSettleMode,
                               receiverSettleMode: peer.receiverSettleMode,
                               source: link.role == .sender ? nil : peer.source, target: link.role == .receiver ? nil : peer.target,
                               initialDeliveryCount: link.role == .sender ? 0 : nil)
        return [.send([.frame(.amqp(.attach(reply), channel: id.channel)),
                       .frame(.amqp(.detach(AMQPDetach(handle: id.handle, closed: true, error: error)), channel: id.channel))])]
    }

    /// Grants `credit` on a link the server receives on (replacing what is left).
    public mutating func grantCredit(_ id: AMQPLinkID, credit: UInt32) -> [AMQPConnectionAction] {
        guard var session = sessions[id.channel], var link = session.links[id.handle], link.role == .receiver, link.attached,
              !link.detaching else { return [] }
        link.credit = credit
        session.links[id.handle] = link
        sessions[id.channel] = session
        return [.send([.frame(.amqp(linkFlow(session, handle: id.handle, link: link), channel: id.channel))])]
    }

    /// The remaining credit of a link the server sends on (0 for unknown links).
    public func credit(of id: AMQPLinkID) -> UInt32 {
        guard let session = sessions[id.channel], let link = session.links[id.handle], link.role == .sender, link.attached,
              !link.detaching else { return 0 }
        return min(link.credit, session.remoteIncomingWindow)
    }

    /// Sends one message on a link the server sends on, using one credit; split into frames of the negotiated size.
    /// Returns nil (and sends nothing) without credit or session window.
    public mutating func send(_ payload: ByteBuffer, on id: AMQPLinkID, deliveryTag: [UInt8], settled: Bool,
                              messageFormat: UInt32 = 0) -> (deliveryId: UInt32, actions: [AMQPConnectionAction])? {
        guard var session = sessions[id.channel], var link = session.links[id.handle], link.role == .sender, link.attached,
              !link.detaching, link.credit > 0, session.remoteIncomingWindow > 0 else { return nil }
        let deliveryId = session.nextDeliveryId
        session.nextDeliveryId &+= 1
        // Room for the frame header and the transfer performative with its tag.
        let room = max(64, Int(outgoingFrameSize) - 64 - deliveryTag.count)
        var remaining = payload
        var frames: [AMQPOutbound] = []
        var first = true
        repeat {
            let chunk = remaining.readSlice(length: min(room, remaining.readableBytes)) ?? ByteBuffer()
            let more = remaining.readableBytes > 0
            let transfer = first
                ? AMQPTransfer(handle: id.handle, deliveryId: deliveryId, deliveryTag: deliveryTag, messageFormat: messageFormat,
                               settled: settled, more: more)
                : AMQPTransfer(handle: id.handle, more: more)
            frames.append(.frame(.amqp(channel: id.channel, performative: .transfer(transfer), payload: chunk)))
            first = false
            session.nextOutgoingId &+= 1
            session.remoteIncomingWindow = session.remoteIncomingWindow > 0 ? session.remoteIncomingWindow - 1 : 0
        } while remaining.readableBytes > 0
        link.credit -= 1
        link.deliveryCount &+= 1
        if !settled { link.unsettled[deliveryId] = deliveryTag }
        session.links[id.handle] = link
        sessions[id.channel] = session
        return (deliveryId, [.send(frames)])
    }

    /// Ends a drain: the unused credit is given back (delivery count advanced) and the peer told.
    public mutating func drained(_ id: AMQPLinkID) -> [AMQPConnectionAction] {
        guard var session = sessions[id.channel], var link = session.links[id.handle], link.role == .sender, link.drain,
              !link.detaching else { return [] }
        link.deliveryCount &+= link.credit
        link.credit = 0
        link.drain = false
        session.links[id.handle] = link
        sessions[id.channel] = session
        return [.send([.frame(.amqp(linkFlow(session, handle: id.handle, link: link, drain: true), channel: id.channel))])]
    }

    /// Settles a delivery the server received: a disposition with `state` for `deliveryId`.
    public mutating func settle(_ id: AMQPLinkID, deliveryId: UInt32, state: AMQPDeliveryState) -> [AMQPConnectionAction] {
        settle(id, deliveryIds: deliveryId...deliveryId, state: state)
    }

    /// Settles a run of deliveries the server received with one disposition (`first`...`last`) carrying `state`.
    public mutating func settle(_ id: AMQPLinkID, deliveryIds: ClosedRange<UInt32>, state: AMQPDeliveryState) -> [AMQPConnectionAction] {
        guard var session = sessions[id.channel] else { return [] }
        if deliveryIds.count == 1 {
            session.incomingUnsettled[deliveryIds.lowerBound] = nil
        } else {
            session.incomingUnsettled = session.incomingUnsettled.filter { !deliveryIds.contains($0.key) }
        }
        sessions[id.channel] = session
        return [.send([.frame(.amqp(.disposition(AMQPDisposition(role: .receiver, first: deliveryIds.lowerBound,
                                                                 last: deliveryIds.upperBound, settled: true, state: state)),
                                   channel: id.channel))])]
    }

    /// Settles a delivery the server sent, after the peer reported an outcome (peek-lock: the server settles last).
    public mutating func settleSent(_ id: AMQPLinkID, deliveryId: UInt32, state: AMQPDeliveryState?) -> [AMQPConnectionAction] {
        guard var session = sessions[id.channel], var link = session.links[id.handle] else { return [] }
        link.unsettled[deliveryId] = nil
        session.links[id.handle] = link
        sessions[id.channel] = session
        return [.send([.frame(.amqp(.disposition(AMQPDisposition(role: .sender, first: deliveryId, last: deliveryId, settled: true,
                                                                 state: state)), channel: id.channel))])]
    }

    /// Detaches a link with `error` (e.g. `amqp:unauthorized-access` when its token lapsed, `amqp:link:stolen`).
    public mutating func detach(_ id: AMQPLinkID, error: AMQPError?) -> [AMQPConnectionAction] {
        detachLink(id, error)
    }

    /// Closes the connection with `error`.
    public mutating func close(error: AMQPError?) -> [AMQPConnectionAction] {
        closing(error)
    }

    // MARK: - Time

    /// Keep-alive and idle timeout: an empty frame when the peer's timeout is half gone, a close when the peer was
    /// silent past the server's.
    public mutating func tick(now: NIODeadline) -> [AMQPConnectionAction] {
        guard phase != .closed else { return [] }
        if let timeout = configuration.idleTimeoutMilliseconds, now - lastReceived > .milliseconds(Int64(timeout)) {
            if phase != .open {
                phase = .closed
                return [.closeConnection(nil)]
            }
            return closing(AMQPError(condition: AMQPError.Condition.resourceLimitExceeded,
                                     description: "no frame for \(timeout) ms (idle timeout)"))
        }
        if phase == .open, let peer = peerIdleTimeout, now - lastSent >= .nanoseconds(peer.nanoseconds / 2) {
            lastSent = now
            return [.send([.frame(.heartbeat)])]
        }
        return []
    }

    /// Record that frames went out at `now` (they count as keep-alive).
    public mutating func sent(now: NIODeadline) {
        lastSent = now
    }

    /// When `tick` next has something to do.
    public func nextDeadline() -> NIODeadline? {
        var deadlines: [NIODeadline] = []
        if let timeout = configuration.idleTimeoutMilliseconds { deadlines.append(lastReceived + .milliseconds(Int64(timeout)) + .milliseconds(1)) }
        if phase == .open, let peer = peerIdleTimeout { deadlines.append(lastSent + .nanoseconds(peer.nanoseconds / 2)) }
        return deadlines.min()
    }

    // MARK: - Helpers

    private func linkFlow(_ session: AMQPSessionState, handle: UInt32, link: AMQPLinkState, drain: Bool? = nil) -> AMQPPerformative {
        .flow(AMQPFlow(nextIncomingId: session.nextIncomingId, incomingWindow: session.incomingWindow, nextOutgoingId: session.nextOutgoingId,
                       outgoingWindow: UInt32.max, handle: handle, deliveryCount: link.deliveryCount, linkCredit: link.credit,
                       drain: drain ?? link.drain))
    }

    private func sessionOnlyFlow(_ session: AMQPSessionState) -> AMQPPerformative {
        .flow(AMQPFlow(nextIncomingId: session.nextIncomingId, incomingWindow: session.incomingWindow,
                       nextOutgoingId: session.nextOutgoingId, outgoingWindow: UInt32.max))
    }

    private mutating func detachLink(_ id: AMQPLinkID, _ error: AMQPError?) -> [AMQPConnectionAction] {
        guard var session = sessions[id.channel], var link = session.links[id.handle], !link.detaching else { return [] }
        // The handle stays taken until the peer's detach answers; frames in flight until then are dropped.
        link.detaching = true
        link.partial = nil
        link.unsettled = [:]
        link.credit = 0
        session.links[id.handle] = link
        sessions[id.channel] = session
        var frames: [AMQPOutbound] = []
        if !link.attached {
            frames.append(.frame(.amqp(.attach(AMQPAttach(name: link.name, handle: id.handle, role: link.role, source: nil, target: nil,
                                                          initialDeliveryCount: link.role == .sender ? 0 : nil)), channel: id.channel)))
        }
        frames.append(.frame(.amqp(.detach(AMQPDetach(handle: id.handle, closed: true, error: error)), channel: id.channel)))
        return [.send(frames), .linkClosed(id, error: error)]
    }

    private mutating func endSession(_ channel: UInt16, _ error: AMQPError) -> [AMQPConnectionAction] {
        guard let session = sessions.removeValue(forKey: channel) else { return [] }
        endedChannels.insert(channel)
        return Self.openLinks(session).map { .linkClosed(AMQPLinkID(channel: channel, handle: $0), error: error) }
            + [.send([.frame(.amqp(.end(AMQPEnding(error: error)), channel: channel))])]
    }

    /// The handles of links not already reported closed (a link the server detached was reported then).
    private static func openLinks(_ session: AMQPSessionState) -> [UInt32] {
        session.links.filter { !$0.value.detaching }.keys.sorted()
    }

    private mutating func closeEverything() -> [AMQPConnectionAction] {
        var actions: [AMQPConnectionAction] = []
        for channel in sessions.keys.sorted() {
            for handle in sessions[channel].map(Self.openLinks) ?? [] {
                actions.append(.linkClosed(AMQPLinkID(channel: channel, handle: handle), error: nil))
            }
        }
        sessions = [:]
        return actions
    }

    private mutating func closing(_ error: AMQPError?) -> [AMQPConnectionAction] {
        guard phase != .closed else { return [] }
        let previous = phase
        phase = .closed
        let links = closeEverything()
        let close = AMQPOutbound.frame(.amqp(.close(AMQPEnding(error: error)), channel: 0))
        switch previous {
        case .open:
            return links + [.send([close]), .closeConnection(error)]
        case .awaitingOpen:
            // A close must follow the server's open: a peer that has not seen one yet gets open, then close.
            let open = AMQPOpen(containerId: configuration.containerId, maxFrameSize: configuration.maxFrameSize,
                                channelMax: configuration.channelMax)
            return [.send([.frame(.amqp(.open(open), channel: 0)), close]), .closeConnection(error)]
        default:
            return links + [.closeConnection(error)]
        }
    }
}
