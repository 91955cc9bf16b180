import AccessControl
import AMQPCodec
import Foundation
import Hub
import Logging
import NIOCore
import NIOSSL
import Provisioning
import PKI
import SwiftASN1
import X509

/// A device (or module) with links on a connection: its session in the hub's directory, and what it asked for.
struct AMQPDeviceState {
    let session: AMQPDeviceSession
    /// Its entry in the registry through which disables, deletes, re-keys and revocations close it.
    var registration: AuthorizedSessionRegistry.Registration?
    /// `sas` or `x509`, stamped on its telemetry.
    var authMethod: String
    /// It subscribed to desired-property patches (twin PUT on `/notifications/twin/properties/desired`).
    var desiredSubscribed = false
}

/// The device side of a shard's AMQP connections: telemetry, C2D with peek-lock dispositions, direct methods and the
/// twin on the device's own nodes, several devices per connection, each admitted by its own CBS token or by the
/// connection's TLS client certificate; the same domain calls, limits and disconnects as the MQTT session.
extension AMQPServedConnection {
    /// Credit of a device's telemetry link: deliveries whose commit is pending (they share the shard's group commit).
    static let telemetryCredit: UInt32 = 500
    /// Credit of a device's methods-answer and twin-request links.
    static let deviceRequestCredit: UInt32 = 100
    /// How long an empty C2D queue is trusted before it is looked at again (locks of other receivers lapse silently).
    static let cloudToDeviceRecheck: TimeInterval = 5
    /// Method requests or twin replies that may wait for a device's link credit.
    static let maximumDevicePending = 100

    // MARK: Attach

    /// A device link without a token: admits the device by the connection's TLS client certificate, if it presented
    /// one (X.509 devices use no SASL and no CBS). Returns false when there is nothing to try.
    mutating func admitByCertificate(_ request: AMQPLinkRequest, _ node: AMQPDeviceNode, into step: inout Step) -> Bool {
        guard let access = endpoint.devices, node.identity.moduleId == nil else { return false }
        let presented = presentedCertificates()
        guard !presented.isEmpty else { return false }
        let identity = node.identity
        step.work.append(AMQPLinkWork {
            let chain: [Certificate]
            do {
                chain = try presented.map { try Certificate(derEncoded: $0.toDERBytes()) }
            } catch {
                return .deviceAdmitted(request, identity, certificateSerial: nil,
                                       .failure(.unauthorized("the client certificate does not parse")))
            }
            let serial = chain.first.map { SerialNumberText.canonical(bytes: $0.serialNumber.bytes) }
            do {
                let admission = try await access.credentials.admit(deviceId: identity.deviceId, moduleId: nil, token: nil, chain: chain)
                return .deviceAdmitted(request, identity, certificateSerial: serial, .success(admission))
            } catch let error as HubError {
                return .deviceAdmitted(request, identity, certificateSerial: serial, .failure(error))
            } catch {
                return .deviceAdmitted(request, identity, certificateSerial: serial,
                                       .failure(HubError(status: 500, errorCode: 500_001, name: "ServerError",
                                                         message: "the device could not be checked")))
            }
        })
        return true
    }

    /// Accepts a device link its grant allows, by node and direction.
    mutating func attachDevice(_ request: AMQPLinkRequest, _ node: AMQPDeviceNode, serverSends: Bool,
                               requirement: AMQPConnectionClaims.Requirement?, into step: inout Step, now: Date) {
        guard endpoint.devices != nil else {
            refuse(request, AMQPError(condition: AMQPError.Condition.notFound, description: "this listener serves no devices"),
                   into: &step, now: now)
            return
        }
        let identity = node.identity
        let link: AMQPServedLink
        var credit: UInt32 = 0
        switch (node.kind, serverSends) {
        case (.telemetry, false):
            link = AMQPServedLink(kind: .deviceTelemetry(identity), requirement: requirement)
            credit = Self.telemetryCredit
        case (.cloudToDevice, true) where identity.moduleId == nil:
            link = AMQPServedLink(kind: .deviceCloudToDevice(.init(identity: identity)), requirement: requirement)
        case (.cloudToDevice, true):
            refuse(request, AMQPError(condition: AMQPError.Condition.notAllowed, description: "modules receive no cloud-to-device messages"),
                   into: &step, now: now)
            return
        case (.methods, true):
            link = AMQPServedLink(kind: .deviceMethodRequests(identity), requirement: requirement)
        case (.methods, false):
            link = AMQPServedLink(kind: .deviceMethodResponses(identity), requirement: requirement)
            credit = Self.deviceRequestCredit
        case (.twin, false):
            link = AMQPServedLink(kind: .deviceTwinRequests(identity), requirement: requirement)
            credit = Self.deviceRequestCredit
        case (.twin, true):
            link = AMQPServedLink(kind: .deviceTwinReplies(identity), requirement: requirement)
        default:
            refuse(request, AMQPError(condition: AMQPError.Condition.notAllowed,
                                      description: "the device's \(node.kind) node cannot be attached in this direction"),
                   into: &step, now: now)
            return
        }
        accept(request, link, credit: credit, into: &step, now: now)
        guard links[request.id] != nil else { return }
        openDeviceSession(identity)
    }

    /// The device's first link: its session joins the hub's directory and the disconnect registry.
    private mutating func openDeviceSession(_ identity: AMQPDeviceIdentity) {
        guard devices[identity] == nil, let access = endpoint.devices else { return }
        let inject = self.inject
        let session = AMQPDeviceSession(identity: identity) { inject(.device($0)) }
        let admission = certificateAdmissions[identity]
        let binding = SessionBinding(endpoint: .hub(shard: endpoint.shard.name), identity: identity.deviceId, moduleId: identity.moduleId,
                                     certificateSerial: admission ?? nil)
        let registration = access.directory.sessions.register(binding) { [weak session] in session?.lapse() }
        devices[identity] = AMQPDeviceState(session: session, registration: registration, authMethod: admission == nil ? "sas" : "x509")
        access.directory.register(session, shard: endpoint.shard.name, clientId: identity.clientId)
    }

    /// A device link is gone: locks it held go back to the queue, waiting method calls fail, and with its last link the
    /// device leaves the directory.
    mutating func forgetDeviceLink(_ link: AMQPServedLink, of identity: AMQPDeviceIdentity) -> [AMQPLinkWork] {
        var work: [AMQPLinkWork] = []
        switch link.kind {
        case .deviceCloudToDevice(let state):
            work = state.held.values.map { abandon($0, of: identity) }
        case .deviceMethodRequests:
            devices[identity]?.session.failMethods()
        case .deviceTwinReplies:
            devices[identity]?.desiredSubscribed = false
        default:
            break
        }
        if !links.values.contains(where: { $0.kind.device == identity }), let state = devices.removeValue(forKey: identity) {
            state.session.close()
            if let access = endpoint.devices {
                if let registration = state.registration { access.directory.sessions.unregister(registration) }
                access.directory.unregister(state.session, shard: endpoint.shard.name, clientId: identity.clientId)
            }
        }
        return work
    }

    private func abandon(_ lockToken: String, of identity: AMQPDeviceIdentity) -> AMQPLinkWork {
        let shard = endpoint.shard
        return .uncancellable { try? await shard.abandonCloudToDevice(deviceId: identity.deviceId, lockToken: lockToken) }
    }

    // MARK: Deliveries from devices

    /// Telemetry (one message, or the SDKs' batch format): accepted only once every message in it is committed.
    mutating func deliverTelemetry(_ delivery: AMQPIncomingDelivery, from identity: AMQPDeviceIdentity, into step: inout Step,
                                   now: Date) {
        let batch: [(MessagePropertyBag, [UInt8])]
        do {
            let messages = delivery.messageFormat == AMQPMessage.batchMessageFormat
                ? try AMQPMessage.decodingBatch(delivery.payload) : [try AMQPMessage(decoding: delivery.payload)]
            batch = try messages.map { message throws(HubError) in
                guard let body = message.body.bytes else { throw HubError.badRequest("a telemetry message body must be data sections") }
                return (try AMQPDeviceMessages.telemetryProperties(message), body)
            }
        } catch let error as AMQPCodecError {
            settle(delivery, .rejected(AMQPError(condition: AMQPError.Condition.decodeError, description: error.message)), into: &step, now: now)
            return
        } catch let error as HubError {
            settle(delivery, .rejected(Self.refusal(error)), into: &step, now: now)
            return
        } catch {
            settle(delivery, .rejected(AMQPError(condition: AMQPError.Condition.decodeError, description: "the message could not be read")),
                   into: &step, now: now)
            return
        }
        let (shard, id, deliveryId, settled) = (endpoint.shard, delivery.link, delivery.deliveryId, delivery.settled)
        let authMethod = devices[identity]?.authMethod ?? "sas"
        if batch.count == 1, let (properties, body) = batch.first {
            // The common case joins the group commit from here; the commit's completions reach the loop together.
            guard body.count <= TelemetryMessage.maximumBodySize else {
                settle(delivery, .rejected(Self.refusal(.tooLarge("a message body may be at most 256 KB"))), into: &step, now: now)
                return
            }
            let (completions, inject) = (telemetryCompletions, self.inject)
            shard.submitTelemetry(from: TelemetrySender(deviceId: identity.deviceId, moduleId: identity.moduleId, authMethod: authMethod),
                                  properties: properties, body: body) { result in
                let refusal: HubError? = switch result {
                case .success: nil
                case .failure(let error as HubError): error
                case .failure: HubError(status: 500, errorCode: 500_001, name: "ServerError", message: "the message could not be stored")
                }
                if completions.add(.init(link: id, deliveryId: deliveryId, settled: settled, refusal: refusal)) {
                    inject(.telemetryCommitted)
                }
            }
            return
        }
        step.work.append(AMQPLinkWork {
            do {
                for (properties, body) in batch {
                    _ = try await shard.receiveTelemetry(deviceId: identity.deviceId, moduleId: identity.moduleId, authMethod: authMethod,
                                                         properties: properties, body: body)
                }
                return .telemetry(id, deliveryId: deliveryId, settled: settled, refusal: nil)
            } catch let error as HubError {
                return .telemetry(id, deliveryId: deliveryId, settled: settled, refusal: error)
            } catch {
                return .telemetry(id, deliveryId: deliveryId, settled: settled,
                                  refusal: HubError(status: 500, errorCode: 500_001, name: "ServerError", message: "the message could not be stored"))
            }
        })
    }

    /// Settles every committed telemetry delivery: accepted ones as ranged dispositions over consecutive delivery ids
    /// of a session, refused ones one by one; credit goes back once per link.
    mutating func telemetryCommitted(into step: inout Step, now: Date) {
        var accepted: [UInt16: (link: AMQPLinkID, ids: [UInt32])] = [:]
        var done: [AMQPLinkID: UInt32] = [:]
        for completed in telemetryCompletions.take() where links[completed.link] != nil {
            done[completed.link, default: 0] += 1
            guard !completed.settled else { continue }
            if let refusal = completed.refusal {
                perform(machine.settle(completed.link, deliveryId: completed.deliveryId, state: .rejected(Self.refusal(refusal))),
                        into: &step, now: now)
            } else {
                accepted[completed.link.channel, default: (completed.link, [])].ids.append(completed.deliveryId)
            }
        }
        for (_, entry) in accepted {
            // Consecutive ids all accepted here: no other link's delivery of the session lies between them.
            let ids = entry.ids.sorted()
            var start = ids[0]
            var last = ids[0]
            for id in ids.dropFirst() {
                if last != .max, id == last + 1 {
                    last = id
                    continue
                }
                perform(machine.settle(entry.link, deliveryIds: start...last, state: .accepted), into: &step, now: now)
                (start, last) = (id, id)
            }
            perform(machine.settle(entry.link, deliveryIds: start...last, state: .accepted), into: &step, now: now)
        }
        for (link, count) in done { replenish(link, count: count, into: &step, now: now) }
    }

    /// A device answered a method request.
    func methodResponded(_ message: AMQPMessage, from identity: AMQPDeviceIdentity) {
        guard let session = devices[identity]?.session else { return }
        guard let (id, response) = AMQPDeviceMessages.methodResponse(message) else {
            logger.debug("AMQP method answer without a uuid correlation id or IoThub-status", metadata: ["hub.device_id": "\(identity)"])
            return
        }
        do {
            session.finish(id, .success(try response.checked()))
        } catch {
            session.finish(id, .failure(error))
        }
    }

    /// A twin request: GET, PATCH of the reported properties, PUT or DELETE of the desired-patch subscription.
    mutating func twinRequest(_ message: AMQPMessage, delivery: AMQPIncomingDelivery, from identity: AMQPDeviceIdentity,
                              into step: inout Step, now: Date) {
        let operation = message.messageAnnotations?[symbol: "operation"]?.text?.uppercased()
        let resource = message.messageAnnotations?[symbol: "resource"]?.text?.lowercased()
        let correlationId = message.properties?.correlationId
        let (shard, id, deliveryId, settled) = (endpoint.shard, delivery.link, delivery.deliveryId, delivery.settled)
        let body = message.body.bytes ?? []
        let desired = "/notifications/twin/properties/desired"
        switch (operation, resource) {
        case ("GET", _):
            step.work.append(AMQPLinkWork {
                let reply: AMQPMessage
                do {
                    let document = try await shard.deviceTwinProperties(deviceId: identity.deviceId, moduleId: identity.moduleId)
                    reply = AMQPDeviceMessages.twinReply(correlationId: correlationId, status: 200,
                                                         body: Array(try JSONEncoder().encode(document)))
                } catch {
                    reply = AMQPDeviceMessages.twinReply(correlationId: correlationId, status: (error as? HubError)?.status ?? 500)
                }
                return .twin(id, deliveryId: deliveryId, settled: settled, identity, reply: reply, subscribed: nil)
            })
        case ("PATCH", "/properties/reported"?):
            step.work.append(AMQPLinkWork {
                let reply: AMQPMessage
                do {
                    let patch = try JSONDecoder().decode(JSONValue.self, from: Data(body))
                    let version = try await shard.patchReportedProperties(deviceId: identity.deviceId, moduleId: identity.moduleId, patch: patch)
                    reply = AMQPDeviceMessages.twinReply(correlationId: correlationId, status: 204, version: version)
                } catch let error as HubError {
                    reply = AMQPDeviceMessages.twinReply(correlationId: correlationId, status: error.status)
                } catch {
                    reply = AMQPDeviceMessages.twinReply(correlationId: correlationId, status: 400)
                }
                return .twin(id, deliveryId: deliveryId, settled: settled, identity, reply: reply, subscribed: nil)
            })
        case ("PUT", desired?), ("DELETE", desired?):
            completedDevice(.twin(id, deliveryId: deliveryId, settled: settled, identity,
                                  reply: AMQPDeviceMessages.twinReply(correlationId: correlationId, status: 200),
                                  subscribed: operation == "PUT"), into: &step, now: now)
        default:
            completedDevice(.twin(id, deliveryId: deliveryId, settled: settled, identity,
                                  reply: AMQPDeviceMessages.twinReply(correlationId: correlationId, status: 400), subscribed: nil),
                            into: &step, now: now)
        }
    }

    // MARK: Work results

    mutating func completedDevice(_ result: AMQPLinkWorkResult, into step: inout Step, now: Date) {
        switch result {
        case .deviceAdmitted(let request, let identity, let serial, .success(let admission)):
            certificateAdmissions[identity] = .some(serial)
            claims.add(ClaimsGrant(principal: .device(deviceId: identity.deviceId, moduleId: nil),
                                   audience: .device(deviceId: identity.deviceId, moduleId: nil), expiry: admission.expiry ?? .distantFuture))
            // Attached again from the start: the grant now admits the link (or, already lapsed, it is refused).
            attach(request, into: &step, now: now)
        case .deviceAdmitted(let request, let identity, _, .failure(let error)):
            logger.info("AMQP device certificate refused", metadata: ["hub.device_id": "\(identity)", "gateway.reason": "\(error.message)"])
            refuse(request, AMQPError(condition: AMQPError.Condition.unauthorizedAccess, description: error.message), into: &step, now: now)
        case .telemetry(let id, let deliveryId, let settled, let refusal):
            guard links[id] != nil else { return }
            if !settled { perform(machine.settle(id, deliveryId: deliveryId, state: refusal.map { .rejected(Self.refusal($0)) } ?? .accepted),
                                  into: &step, now: now) }
            replenish(id, into: &step, now: now)
        case .twin(let id, let deliveryId, let settled, let identity, let reply, let subscribed):
            if links[id] != nil {
                if !settled { perform(machine.settle(id, deliveryId: deliveryId, state: .accepted), into: &step, now: now) }
                replenish(id, into: &step, now: now)
            }
            if let subscribed { devices[identity]?.desiredSubscribed = subscribed }
            sendToDevice(reply, identity: identity, on: { if case .deviceTwinReplies = $0 { true } else { false } }, into: &step)
        case .deviceCloudToDevice(let id, let generation, let locked):
            guard case .deviceCloudToDevice(var state)? = links[id]?.kind, state.generation == generation else {
                if let locked { step.work.append(abandon(locked.lockToken, of: AMQPDeviceIdentity(deviceId: locked.message.deviceId))) }
                return
            }
            state.locking = false
            state.emptySince = locked == nil ? now : nil
            links[id]?.kind = .deviceCloudToDevice(state)
            if let locked {
                let tag = UUID(uuidString: locked.lockToken).map { Self.tag($0) } ?? Array(locked.lockToken.utf8.prefix(32))
                if let deliveryId = send(AMQPDeviceMessages.cloudToDevice(locked), on: id, tag: tag, settled: false, into: &step, now: now) {
                    state.held[deliveryId] = locked.lockToken
                    links[id]?.kind = .deviceCloudToDevice(state)
                    serveCloudToDevice(id, into: &step)
                } else {
                    step.work.append(abandon(locked.lockToken, of: state.identity))
                }
            }
        default:
            break
        }
    }

    /// A 16-byte delivery tag from a lock token (the C# SDK reads tags as GUIDs).
    private static func tag(_ uuid: UUID) -> [UInt8] {
        withUnsafeBytes(of: uuid.uuid) { Array($0) }
    }

    /// The AMQP error for a refused telemetry message, with IoT Hub's error code.
    static func refusal(_ error: HubError) -> AMQPError {
        AMQPError(condition: AMQPSymbol(error.amqpCondition), description: error.message,
                  info: [.symbol("com.microsoft:error-code"): .int(Int32(clamping: error.errorCode))])
    }

    /// Queues a message on the device's link of the kind `matches` picks, and sends what its credit allows; false when
    /// the device has no such link or too much waits on it.
    @discardableResult
    private mutating func sendToDevice(_ message: AMQPMessage, identity: AMQPDeviceIdentity, on matches: (AMQPServedLink.Kind) -> Bool,
                                       into step: inout Step) -> Bool {
        guard let id = links.first(where: { $0.value.kind.device == identity && matches($0.value.kind) })?.key,
              (links[id]?.pending.count ?? 0) < Self.maximumDevicePending else { return false }
        links[id]?.pending.append(message)
        serve(id, into: &step)
        return true
    }

    // MARK: C2D

    /// Locks the next C2D message for a device's receiver while it has credit.
    mutating func serveCloudToDevice(_ id: AMQPLinkID, into step: inout Step) {
        guard case .deviceCloudToDevice(var state)? = links[id]?.kind, machine.credit(of: id) > 0, !state.locking,
              state.emptySince == nil else { return }
        state.locking = true
        state.generation &+= 1
        links[id]?.kind = .deviceCloudToDevice(state)
        let (shard, generation, deviceId) = (endpoint.shard, state.generation, state.identity.deviceId)
        step.work.append(AMQPLinkWork {
            // A lock taken must reach the link or go back: it is not cancelled half-way.
            let locked = await Task { (try? await shard.lockCloudToDevice(deviceId: deviceId)) ?? nil }.value
            if let locked, Task.isCancelled {
                await Task { try? await shard.abandonCloudToDevice(deviceId: deviceId, lockToken: locked.lockToken) }.value
                return .none
            }
            return .deviceCloudToDevice(id, generation: generation, locked)
        })
    }

    /// Looks again at C2D queues found empty a while ago (a message whose lock lapsed elsewhere is deliverable again).
    mutating func pollCloudToDevice(into step: inout Step, now: Date) {
        for (id, link) in links {
            guard case .deviceCloudToDevice(var state) = link.kind, let since = state.emptySince,
                  now.timeIntervalSince(since) >= Self.cloudToDeviceRecheck else { continue }
            state.emptySince = nil
            links[id]?.kind = .deviceCloudToDevice(state)
            serveCloudToDevice(id, into: &step)
        }
    }

    /// The device settled a C2D message: accepted completes it, rejected dead-letters it (negative feedback), released
    /// or modified abandons it (delivered again until the maximum delivery count).
    mutating func cloudToDeviceOutcome(_ id: AMQPLinkID, deliveryId: UInt32, state: AMQPDeliveryState?, settled: Bool,
                                       into step: inout Step) {
        guard case .deviceCloudToDevice(var link)? = links[id]?.kind, let lockToken = link.held[deliveryId] else { return }
        guard settled || state?.isOutcome == true else { return }
        link.held[deliveryId] = nil
        links[id]?.kind = .deviceCloudToDevice(link)
        if !settled { perform(machine.settleSent(id, deliveryId: deliveryId, state: state), into: &step, now: endpoint.now()) }
        let (shard, deviceId) = (endpoint.shard, link.identity.deviceId)
        switch state {
        case .accepted?:
            step.work.append(.uncancellable { try? await shard.completeCloudToDevice(deviceId: deviceId, lockToken: lockToken) })
        case .rejected?:
            step.work.append(.uncancellable { try? await shard.rejectCloudToDevice(deviceId: deviceId, lockToken: lockToken) })
        default:
            step.work.append(abandon(lockToken, of: link.identity))
        }
    }

    // MARK: The hub's requests

    mutating func handleDevice(_ event: AMQPDeviceSession.Event, into step: inout Step, now: Date) {
        switch event {
        case .cloudToDeviceQueued(let identity):
            for (id, link) in links {
                guard case .deviceCloudToDevice(var state) = link.kind, state.identity == identity else { continue }
                state.emptySince = nil
                links[id]?.kind = .deviceCloudToDevice(state)
                serveCloudToDevice(id, into: &step)
            }
        case .desiredPatch(let identity, let patch):
            guard devices[identity]?.desiredSubscribed == true, let message = AMQPDeviceMessages.desiredPatch(patch) else { return }
            sendToDevice(message, identity: identity, on: { if case .deviceTwinReplies = $0 { true } else { false } }, into: &step)
        case .invokeMethod(let identity, let requestId, let request):
            guard let session = devices[identity]?.session, session.awaits(requestId) else { return }
            let sent = sendToDevice(AMQPDeviceMessages.methodRequest(request, id: requestId), identity: identity,
                                    on: { if case .deviceMethodRequests = $0 { true } else { false } }, into: &step)
            if !sent { session.finish(requestId, .failure(.deviceNotOnline(identity.deviceId))) }
        case .credentialLapsed(let identity):
            claims.revoke(deviceId: identity.deviceId, moduleId: identity.moduleId)
            certificateAdmissions[identity] = nil
            for (id, link) in links where link.kind.device == identity {
                perform(machine.detach(id, error: AMQPError(condition: AMQPError.Condition.unauthorizedAccess,
                                                            description: "the device's credential is no longer valid")),
                        into: &step, now: now)
                step.work += forget(id)
            }
        }
    }
}
