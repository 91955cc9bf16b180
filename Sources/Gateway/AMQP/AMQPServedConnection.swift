import AccessControl
import AMQPCodec
import Foundation
import Hub
import Logging
import NIOCore
import NIOSSL
import Routing

/// One AMQP connection of a shard as the gateway serves it: the engine (`AMQPConnectionStateMachine`) speaks the
/// protocol; this maps its requests to the hub's nodes — SASL, `$cbs`, `$management`, Event Hubs partition
/// receivers, the redirect of `messages/events`, the C2D, feedback and file-notification links — and keeps the
/// connection's tokens, links and pending work. Driven by one loop; returns what to write and what work to start.
struct AMQPServedConnection {
    /// What one input produced.
    struct Step {
        var outbound: [AMQPOutbound] = []
        var work: [AMQPLinkWork] = []
        /// The open exchange finished: the open deadline no longer applies.
        var openCompleted = false
        /// Close the connection once `outbound` is written.
        var finished = false
    }

    /// Credit a C2D sender gets, replenished as messages commit.
    static let cloudToDeviceCredit: UInt32 = 100
    /// The largest message the server takes (advertised on attach replies; > 1024 for the C SDK).
    static let maximumMessageSize: UInt64 = 1 << 20
    /// Replies a `$cbs` or `$management` reply link may have waiting for credit.
    static let maximumPendingReplies = 100
    /// How long an idle partition read waits for new events before it is re-issued.
    static let readWait: Duration = .seconds(5)
    /// How long a feedback or file-notification receiver with credit waits between looks at the store.
    static let serviceBoundPoll: Duration = .milliseconds(500)

    let endpoint: AMQPHubEndpoint
    let logger: Logger
    var machine: AMQPConnectionStateMachine
    var claims = AMQPConnectionClaims()
    var links: [AMQPLinkID: AMQPServedLink] = [:]
    private var nextTag: UInt64 = 0
    /// Displacement flags of partition receivers with an owner-level claim.
    var displacements: [AMQPLinkID: AMQPDisplacement] = [:]
    /// The devices (and modules) with links on this connection.
    var devices: [AMQPDeviceIdentity: AMQPDeviceState] = [:]
    /// How devices admitted by their TLS client certificate were admitted (`x509`, and the certificate's serial).
    var certificateAdmissions: [AMQPDeviceIdentity: String?] = [:]
    /// Device telemetry the group commit finished, waiting for the loop.
    let telemetryCompletions = AMQPTelemetryCompletions()
    /// Feeds the connection's own loop (the hub's requests to its devices arrive this way).
    let inject: @Sendable (AMQPConnectionInput) -> Void
    /// The TLS client certificates the peer presented (leaf first; empty for none or over WebSockets).
    let presentedCertificates: @Sendable () -> [NIOSSLCertificate]

    /// Creates the served state of a new connection.
    init(endpoint: AMQPHubEndpoint, limits: AMQPCodecLimits, logger: Logger,
         presentedCertificates: @escaping @Sendable () -> [NIOSSLCertificate] = { [] },
         inject: @escaping @Sendable (AMQPConnectionInput) -> Void = { _ in }) {
        self.endpoint = endpoint
        self.logger = logger
        self.presentedCertificates = presentedCertificates
        self.inject = inject
        machine = AMQPConnectionStateMachine(configuration: AMQPConnectionConfiguration(
            containerId: "provisio-\(endpoint.entity)", maxFrameSize: UInt32(clamping: limits.maximumFrameSize),
            idleTimeoutMilliseconds: UInt32(clamping: endpoint.idleTimeout.nanoseconds / 1_000_000),
            saslMechanisms: ["MSSBCBS", "ANONYMOUS", "PLAIN", "EXTERNAL"],
            maxMessageSize: UInt64(clamping: limits.maximumMessageSize)), now: .now())
    }

    // MARK: Inputs

    /// Handles one input.
    mutating func handle(_ input: AMQPConnectionInput, now: Date) -> Step {
        var step = Step()
        switch input {
        case .received(let inbound):
            perform(machine.received(inbound, now: .now()), into: &step, now: now)
        case .ended(let error as AMQPCodecError):
            perform(machine.decodingFailed(error), into: &step, now: now)
            step.finished = true
        case .ended:
            step.finished = true
        case .tick:
            perform(machine.tick(now: .now()), into: &step, now: now)
            enforceTokens(now: now, into: &step)
            pollCloudToDevice(into: &step, now: now)
        case .completed(let result):
            completed(result, into: &step, now: now)
        case .device(let event):
            handleDevice(event, into: &step, now: now)
        case .telemetryCommitted:
            telemetryCommitted(into: &step, now: now)
        }
        // What goes out counts as keep-alive for the peer.
        if !step.outbound.isEmpty { machine.sent(now: .now()) }
        return step
    }

    /// The connection is gone: gives up partition ownership; returns the work that hands held feedback back.
    mutating func closed() -> [AMQPLinkWork] {
        var work: [AMQPLinkWork] = []
        for id in Array(links.keys) { work += forget(id) }
        return work
    }

    // MARK: Engine actions

    mutating func perform(_ actions: [AMQPConnectionAction], into step: inout Step, now: Date) {
        for action in actions {
            switch action {
            case .send(let outbound):
                step.outbound += outbound
            case .authenticate(let mechanism, let initialResponse, _):
                let accepted = authenticate(mechanism: mechanism, initialResponse: initialResponse, now: now)
                perform(machine.authenticated(accepted, now: .now()), into: &step, now: now)
            case .opened:
                step.openCompleted = true
            case .attachRequested(let request):
                attach(request, into: &step, now: now)
            case .credit(let id, _, let drain):
                guard links[id] != nil else { continue }
                serve(id, into: &step)
                // Draining: what could not be used now is given back.
                if drain { perform(machine.drained(id), into: &step, now: now) }
            case .delivery(let delivery):
                deliver(delivery, into: &step, now: now)
            case .outcome(let id, let deliveryId, _, let state, let settled):
                outcome(id, deliveryId: deliveryId, state: state, settled: settled, into: &step)
            case .linkClosed(let id, _):
                step.work += forget(id)
            case .closeConnection(let error):
                if let error { logger.debug("AMQP connection closed", metadata: ["gateway.condition": "\(error.condition)"]) }
                step.finished = true
            }
        }
    }

    /// SASL: MSSBCBS and ANONYMOUS defer to CBS; PLAIN carries a `{policy}@sas.root.{hub}` user and a token.
    private mutating func authenticate(mechanism: AMQPSymbol, initialResponse: [UInt8]?, now: Date) -> Bool {
        switch mechanism.rawValue {
        case "MSSBCBS", "ANONYMOUS", "EXTERNAL":
            // Identity comes later: CBS tokens, or the TLS client certificate for a device's links.
            return true
        case "PLAIN":
            let parts = (initialResponse ?? []).split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { return false }
            let user = String(decoding: parts[1], as: UTF8.self)
            let password = String(decoding: parts[2], as: UTF8.self)
            do {
                claims.add(try endpoint.verifier.verifyPlain(user: user, password: password, now: now))
                return true
            } catch {
                logger.info("AMQP SASL PLAIN refused", metadata: ["gateway.reason": "\(error.message)"])
                return false
            }
        default:
            return false
        }
    }

    // MARK: Attach

    mutating func attach(_ request: AMQPLinkRequest, into step: inout Step, now: Date) {
        let attach = request.attach
        // The peer's role: `.receiver` means the server sends on the link, so the node is its source.
        let serverSends = attach.role == .receiver
        let address = (serverSends ? attach.source?.address : attach.target?.address) ?? ""
        let node = AMQPNodeAddress(address)
        if let requirement = AMQPConnectionClaims.requirement(for: node), claims.expiry(of: requirement, now: now) == nil {
            if case .device(let device) = node, certificateAdmissions[device.identity] == nil,
               admitByCertificate(request, device, into: &step) { return }
            let needed = requirement.permission == .deviceConnect ? "the device's own SAS token (or a DeviceConnect policy token)"
                : "a token with the ServiceConnect permission"
            refuse(request, AMQPError(condition: AMQPError.Condition.unauthorizedAccess,
                                      description: "put \(needed) for \(requirement.audience) on $cbs first"),
                   into: &step, now: now)
            return
        }
        let requirement = AMQPConnectionClaims.requirement(for: node)
        switch (node, serverSends) {
        case (.claimsBasedSecurity, false):
            accept(request, AMQPServedLink(kind: .claimsRequests), credit: 100, into: &step, now: now)
        case (.claimsBasedSecurity, true):
            accept(request, AMQPServedLink(kind: .claimsReplies), into: &step, now: now)
        case (.management, false):
            accept(request, AMQPServedLink(kind: .managementRequests, requirement: requirement), credit: 100, into: &step, now: now)
        case (.management, true):
            accept(request, AMQPServedLink(kind: .managementReplies, requirement: requirement), into: &step, now: now)
        case (.eventHubsPartition(let entity, let group, let partition), true):
            attachPartition(request, entity: entity, consumerGroup: group, partition: partition, requirement: requirement,
                            into: &step, now: now)
        case (.hubEventsRedirect(let suffix), _):
            redirect(request, suffix: suffix, into: &step, now: now)
        case (.cloudToDevice, false):
            accept(request, AMQPServedLink(kind: .cloudToDevice, requirement: requirement), credit: Self.cloudToDeviceCredit,
                   into: &step, now: now)
        case (.feedback, true):
            accept(request, AMQPServedLink(kind: .serviceBound(.init(queue: .feedback)), requirement: requirement), into: &step, now: now)
        case (.fileNotifications, true):
            accept(request, AMQPServedLink(kind: .serviceBound(.init(queue: .fileNotifications)), requirement: requirement),
                   into: &step, now: now)
        case (.device(let device), _):
            attachDevice(request, device, serverSends: serverSends, requirement: requirement, into: &step, now: now)
        case (.unknown, _):
            refuse(request, AMQPError(condition: AMQPError.Condition.notFound, description: "no node '\(address.prefix(200))' here"),
                   into: &step, now: now)
        default:
            refuse(request, AMQPError(condition: AMQPError.Condition.notAllowed,
                                      description: "'\(address.prefix(200))' cannot be attached in this direction"), into: &step, now: now)
        }
    }

    mutating func accept(_ request: AMQPLinkRequest, _ link: AMQPServedLink, credit: UInt32 = 0, into step: inout Step,
                                 now: Date) {
        var link = link
        link.creditLimit = credit
        let actions = machine.acceptAttach(request, credit: credit)
        // Nothing to answer: the peer detached (or ended its session) while the link waited for a decision.
        guard !actions.isEmpty else { return }
        links[request.id] = link
        perform(actions, into: &step, now: now)
    }

    mutating func refuse(_ request: AMQPLinkRequest, _ error: AMQPError, into step: inout Step, now: Date) {
        logger.debug("AMQP attach refused", metadata: ["gateway.condition": "\(error.condition)", "gateway.link": "\(request.attach.name.prefix(100))"])
        perform(machine.refuseAttach(request, error: error), into: &step, now: now)
    }

    // MARK: Deliveries from the peer

    private mutating func deliver(_ delivery: AMQPIncomingDelivery, into step: inout Step, now: Date) {
        guard let link = links[delivery.link] else { return }
        links[delivery.link]?.inFlight += 1
        if case .deviceTelemetry(let identity) = link.kind {
            deliverTelemetry(delivery, from: identity, into: &step, now: now)
            return
        }
        let message: AMQPMessage
        do {
            message = try AMQPMessage(decoding: delivery.payload)
        } catch {
            settle(delivery, .rejected(AMQPError(condition: AMQPError.Condition.decodeError, description: error.message)),
                   into: &step, now: now)
            return
        }
        let (id, deliveryId, settled) = (delivery.link, delivery.deliveryId, delivery.settled)
        switch link.kind {
        case .claimsRequests:
            let exchange = AMQPManagementExchange(message)
            let node = ClaimsBasedSecurityNode(verifier: endpoint.verifier, shard: endpoint.shard, credentials: endpoint.devices?.credentials)
            step.work.append(AMQPLinkWork {
                .claims(id, deliveryId: deliveryId, settled: settled, exchange: exchange, outcome: await node.handle(exchange, now: now))
            })
        case .managementRequests:
            let exchange = AMQPManagementExchange(message)
            guard let routing = endpoint.routing else {
                settle(delivery, .accepted, into: &step, now: now)
                reply(to: id, exchange.reply(status: 404, description: "this hub has no event log"), replies: .managementReplies, into: &step, now: now)
                return
            }
            if let token = exchange.properties["security_token"], !managementTokenAllowed(token, now: now) {
                settle(delivery, .accepted, into: &step, now: now)
                reply(to: id, exchange.reply(status: 401, description: "the security_token is not valid for this event hub"),
                      replies: .managementReplies, into: &step, now: now)
                return
            }
            let node = EventHubsManagementNode(entity: endpoint.entity, createdAt: endpoint.createdAt, routing: routing)
            step.work.append(AMQPLinkWork {
                switch await node.handle(exchange.properties) {
                case .success(let answer):
                    return .management(id, deliveryId: deliveryId, settled: settled,
                                       reply: exchange.reply(status: 200, description: "OK", body: answer.body))
                case .failure(let failure):
                    return .management(id, deliveryId: deliveryId, settled: settled,
                                       reply: exchange.reply(status: failure.status, description: failure.description))
                }
            })
        case .cloudToDevice:
            let submission: CloudToDeviceSubmission
            do {
                submission = try CloudToDeviceSubmission(message, now: now)
            } catch {
                settle(delivery, .rejected(AMQPError(condition: AMQPSymbol(error.amqpCondition), description: error.message)),
                       into: &step, now: now)
                return
            }
            let shard = endpoint.shard
            step.work.append(AMQPLinkWork {
                do {
                    try await submission.send(to: shard)
                    return .cloudToDevice(id, deliveryId: deliveryId, settled: settled, refusal: nil)
                } catch let error as HubError {
                    return .cloudToDevice(id, deliveryId: deliveryId, settled: settled, refusal: error)
                } catch {
                    return .cloudToDevice(id, deliveryId: deliveryId, settled: settled,
                                          refusal: HubError(status: 500, errorCode: 500_001, name: "ServerError",
                                                            message: "the message could not be stored"))
                }
            })
        case .deviceMethodResponses(let identity):
            methodResponded(message, from: identity)
            settle(delivery, .accepted, into: &step, now: now)
        case .deviceTwinRequests(let identity):
            twinRequest(message, delivery: delivery, from: identity, into: &step, now: now)
        default:
            settle(delivery, .rejected(AMQPError(condition: AMQPError.Condition.notAllowed, description: "this link takes no messages")),
                   into: &step, now: now)
        }
    }

    /// A `$management` request's own token, checked when the connection holds no grant for the event hub.
    private func managementTokenAllowed(_ token: String, now: Date) -> Bool {
        if claims.expiry(of: .init(audience: .eventHub(consumerGroup: nil), permission: .serviceConnect), now: now) != nil { return true }
        guard case .granted(let grant)? = try? endpoint.verifier.verify(audience: "sb://\(endpoint.hostName)/\(endpoint.entity)",
                                                                       token: token, now: now) else { return false }
        return grant.permits(.serviceConnect)
    }

    /// A delivery on a link the server receives on is done: its credit comes back (what is received and not yet done
    /// plus the credit left never exceeds the link's credit, however slow the work).
    mutating func replenish(_ id: AMQPLinkID, count: UInt32 = 1, into step: inout Step, now: Date) {
        guard var link = links[id] else { return }
        link.inFlight = link.inFlight > count ? link.inFlight - count : 0
        link.doneSinceGrant &+= count
        // A flow frame once a quarter of the window is done (or nothing is left in flight), not after every delivery:
        // the peer keeps at least three quarters of its credit meanwhile, minus what is still being worked on.
        let grant = link.inFlight == 0 || link.doneSinceGrant >= max(1, link.creditLimit / 4)
        if grant { link.doneSinceGrant = 0 }
        links[id] = link
        guard grant else { return }
        perform(machine.grantCredit(id, credit: link.creditLimit > link.inFlight ? link.creditLimit - link.inFlight : 0),
                into: &step, now: now)
    }

    /// Settles a delivery whose work finished at once, and gives its credit back.
    mutating func settle(_ delivery: AMQPIncomingDelivery, _ state: AMQPDeliveryState, into step: inout Step, now: Date) {
        if !delivery.settled {
            perform(machine.settle(delivery.link, deliveryId: delivery.deliveryId, state: state), into: &step, now: now)
        }
        replenish(delivery.link, into: &step, now: now)
    }

    // MARK: Work results

    private mutating func completed(_ result: AMQPLinkWorkResult, into step: inout Step, now: Date) {
        switch result {
        case .claims(let id, let deliveryId, let settled, let exchange, let outcome):
            if let grant = outcome.grant { claims.add(grant) }
            // uamqp-c needs the request settled before the reply arrives.
            if !settled { perform(machine.settle(id, deliveryId: deliveryId, state: .accepted), into: &step, now: now) }
            replenish(id, into: &step, now: now)
            reply(to: id, exchange.reply(status: outcome.status, description: outcome.description), replies: .claimsReplies,
                  into: &step, now: now)
        case .management(let id, let deliveryId, let settled, let message):
            if !settled { perform(machine.settle(id, deliveryId: deliveryId, state: .accepted), into: &step, now: now) }
            replenish(id, into: &step, now: now)
            reply(to: id, message, replies: .managementReplies, into: &step, now: now)
        case .positioned(let id, let generation, let outcome):
            guard case .partition(var state)? = links[id]?.kind, state.generation == generation else { return }
            switch outcome {
            case .success(let start):
                state.next = start
                links[id]?.kind = .partition(state)
                serve(id, into: &step)
            case .failure(let error):
                perform(machine.detach(id, error: error), into: &step, now: now)
                step.work += forget(id)
            }
        case .events(let id, let generation, let events, let metrics, let failed):
            guard case .partition(var state)? = links[id]?.kind, state.generation == generation else { return }
            state.reading = false
            if failed {
                links[id]?.kind = .partition(state)
                perform(machine.detach(id, error: AMQPError(condition: AMQPError.Condition.internalError,
                                                            description: "the event log could not be read")), into: &step, now: now)
                step.work += forget(id)
                return
            }
            state.ready += events
            state.metrics = metrics
            if let last = events.last { state.next = last.sequenceNumber + 1 }
            links[id]?.kind = .partition(state)
            serve(id, into: &step)
        case .cloudToDevice(let id, let deliveryId, let settled, let refusal):
            guard links[id] != nil else { return }
            if !settled {
                let state: AMQPDeliveryState = refusal.map {
                    .rejected(AMQPError(condition: AMQPSymbol($0.amqpCondition), description: $0.message,
                                        info: [.symbol("com.microsoft:error-code"): .int(Int32(clamping: $0.errorCode))]))
                } ?? .accepted
                perform(machine.settle(id, deliveryId: deliveryId, state: state), into: &step, now: now)
            }
            replenish(id, into: &step, now: now)
        case .serviceBound(let id, let generation, let queue, let locked):
            guard case .serviceBound(var state)? = links[id]?.kind, state.generation == generation else {
                // The link went away meanwhile: what was locked for it goes back at once.
                if let locked { step.work.append(release(locked.lockToken, from: queue)) }
                return
            }
            state.locking = false
            links[id]?.kind = .serviceBound(state)
            if let locked {
                if let deliveryId = send(locked.message, on: id, tag: FeedbackMessage.deliveryTag(locked.lockToken), settled: false,
                                         into: &step, now: now) {
                    state.held[deliveryId] = locked.lockToken
                    links[id]?.kind = .serviceBound(state)
                } else {
                    step.work.append(release(locked.lockToken, from: state.queue))
                }
            }
            serve(id, into: &step)
        case .deviceAdmitted, .telemetry, .deviceCloudToDevice, .twin:
            completedDevice(result, into: &step, now: now)
        case .none:
            break
        }
    }

    /// Sends a `$cbs` / `$management` reply on the peer's reply link of the same session (queued until it has credit).
    private mutating func reply(to request: AMQPLinkID, _ message: AMQPMessage, replies kind: AMQPServedLink.Kind,
                                into step: inout Step, now: Date) {
        let candidates = links.filter { entry in
            switch (entry.value.kind, kind) {
            case (.claimsReplies, .claimsReplies), (.managementReplies, .managementReplies): true
            default: false
            }
        }.keys
        guard let target = candidates.first(where: { $0.channel == request.channel }) ?? candidates.first else { return }
        guard (links[target]?.pending.count ?? 0) < Self.maximumPendingReplies else {
            // A peer that keeps asking but never takes its replies: stop queueing for it.
            perform(machine.detach(target, error: AMQPError(condition: AMQPError.Condition.resourceLimitExceeded,
                                                            description: "too many replies wait for link credit")), into: &step, now: now)
            step.work += forget(target)
            return
        }
        links[target]?.pending.append(message)
        serve(target, into: &step)
    }

    /// The peer settled a delivery the server sent (feedback, file notifications: accepted completes, anything else
    /// releases).
    private mutating func outcome(_ id: AMQPLinkID, deliveryId: UInt32, state: AMQPDeliveryState?, settled: Bool,
                                  into step: inout Step) {
        if case .deviceCloudToDevice? = links[id]?.kind {
            cloudToDeviceOutcome(id, deliveryId: deliveryId, state: state, settled: settled, into: &step)
            return
        }
        guard case .serviceBound(var bound)? = links[id]?.kind, let lock = bound.held[deliveryId] else {
            // Method requests, twin replies: nothing waits on their outcome, but a second-mode receiver waits for ours.
            if !settled, state?.isOutcome == true, links[id] != nil {
                perform(machine.settleSent(id, deliveryId: deliveryId, state: state), into: &step, now: endpoint.now())
            }
            return
        }
        guard settled || state?.isOutcome == true else { return }
        bound.held[deliveryId] = nil
        links[id]?.kind = .serviceBound(bound)
        // With rcv-settle-mode second the receiver waits for the server to settle.
        if !settled { perform(machine.settleSent(id, deliveryId: deliveryId, state: state), into: &step, now: endpoint.now()) }
        let (shard, queue) = (endpoint.shard, bound.queue)
        if case .accepted? = state {
            step.work.append(.uncancellable { try? await queue.complete(lock, on: shard) })
        } else {
            step.work.append(release(lock, from: queue))
        }
    }

    private func release(_ lock: UUID, from queue: ServiceBoundQueue) -> AMQPLinkWork {
        let shard = endpoint.shard
        return .uncancellable { try? await queue.release(lock, on: shard) }
    }

    // MARK: Sending

    /// Sends what a link has ready while it has credit, and starts the work that gets it more.
    mutating func serve(_ id: AMQPLinkID, into step: inout Step) {
        guard let link = links[id] else { return }
        let now = endpoint.now()
        while machine.credit(of: id) > 0, let message = links[id]?.pending.first {
            links[id]?.pending.removeFirst()
            _ = send(message, on: id, tag: nil, settled: false, into: &step, now: now)
        }
        switch link.kind {
        case .partition(var state):
            guard let next = state.next else { return }
            while machine.credit(of: id) > 0, !state.ready.isEmpty {
                let event = state.ready.removeFirst()
                let message = EventHubsEventMessage.message(event, metrics: state.runtimeMetric ? state.metrics : nil, now: now)
                _ = send(message, on: id, tag: nil, settled: true, into: &step, now: now)
            }
            let credit = machine.credit(of: id)
            if credit > 0, state.ready.isEmpty, !state.reading {
                state.reading = true
                let (feed, generation, metrics) = (state.feed, state.generation, state.runtimeMetric)
                let limit = Int(min(credit, UInt32(EventHubsPartitionFeed.maximumBatch)))
                let entity = endpoint.entity
                step.work.append(AMQPLinkWork {
                    do {
                        let events = try await feed.next(from: next, limit: limit, wait: Self.readWait)
                        var properties: EventHubsPartitionProperties?
                        if metrics, !events.isEmpty, let range = try await feed.routing.partitions(endpoint: EventHubsManagementNode.endpoint)
                            .first(where: { $0.partition == feed.partition }) {
                            properties = try await EventHubsManagementNode(entity: entity, createdAt: Date(), routing: feed.routing)
                                .partitionProperties(range)
                        }
                        return .events(id, generation: generation, events, metrics: properties, failed: false)
                    } catch {
                        return .events(id, generation: generation, [], metrics: nil, failed: true)
                    }
                })
            }
            links[id]?.kind = .partition(state)
        case .deviceCloudToDevice:
            serveCloudToDevice(id, into: &step)
        case .serviceBound(var state):
            guard machine.credit(of: id) > 0, !state.locking else { return }
            state.locking = true
            links[id]?.kind = .serviceBound(state)
            let (shard, generation, queue) = (endpoint.shard, state.generation, state.queue)
            step.work.append(AMQPLinkWork {
                // Locked records must reach the link or go back: the lock itself is not cancelled half-way.
                let locked = await Task { (try? await queue.lock(on: shard)) ?? nil }.value
                if let locked, Task.isCancelled {
                    // The connection ended while this was locking: nobody will read the result, so hand it back now.
                    await Task { try? await queue.release(locked.lockToken, on: shard) }.value
                    return .none
                }
                // Nothing pending: look again after a pause (the stores have no wake-up signal).
                if locked == nil { try? await Task.sleep(for: Self.serviceBoundPoll) }
                return .serviceBound(id, generation: generation, queue: queue, locked: locked)
            })
        default:
            break
        }
    }

    /// Sends one message; returns its delivery id (nil when the link cannot take it).
    mutating func send(_ message: AMQPMessage, on id: AMQPLinkID, tag: [UInt8]?, settled: Bool, into step: inout Step,
                               now: Date) -> UInt32? {
        guard let (deliveryId, actions) = machine.send(message.encoded, on: id, deliveryTag: tag ?? nextDeliveryTag(), settled: settled)
        else { return nil }
        perform(actions, into: &step, now: now)
        return deliveryId
    }

    /// A fresh 16-byte delivery tag (C# clients read tags as GUIDs).
    private mutating func nextDeliveryTag() -> [UInt8] {
        nextTag &+= 1
        var tag = [UInt8](repeating: 0, count: 16)
        withUnsafeBytes(of: nextTag.bigEndian) { tag.replaceSubrange(8..<16, with: $0) }
        return tag
    }

    // MARK: Tokens and link ends

    /// Closes the links whose token expired and was not renewed.
    private mutating func enforceTokens(now: Date, into step: inout Step) {
        claims.expire(now: now)
        for (id, link) in links {
            guard let requirement = link.requirement, claims.expiry(of: requirement, now: now) == nil else { continue }
            perform(machine.detach(id, error: AMQPError(condition: AMQPError.Condition.unauthorizedAccess,
                                                        description: "the token for this link expired and was not renewed")),
                    into: &step, now: now)
            step.work += forget(id)
        }
        for id in displaced() {
            perform(machine.detach(id, error: AMQPError(condition: AMQPError.Condition.stolen,
                                                        description: "a receiver with a higher owner level (epoch) took this partition")),
                    into: &step, now: now)
            step.work += forget(id)
        }
    }

    /// Partition receivers another connection's higher owner level displaced.
    private func displaced() -> [AMQPLinkID] {
        displacements.values.filter(\.isSet).map(\.id)
    }

    /// Forgets a link: its ownership claim, and its held feedback (returned as work that releases it).
    mutating func forget(_ id: AMQPLinkID) -> [AMQPLinkWork] {
        guard let link = links.removeValue(forKey: id) else { return [] }
        displacements[id] = nil
        if let identity = link.kind.device { return forgetDeviceLink(link, of: identity) }
        switch link.kind {
        case .partition(let state):
            if let ownership = state.ownership { endpoint.ownership.release(ownership) }
            return []
        case .serviceBound(let state):
            return state.held.values.map { release($0, from: state.queue) }
        default:
            return []
        }
    }
}
