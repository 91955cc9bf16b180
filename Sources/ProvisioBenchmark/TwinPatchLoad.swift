import Foundation
import MQTTCodec
import NIOCore
import NIOSSL

/// Devices connected to their shard, each sending reported-property patches one at a time and timing each
/// PATCH → `$iothub/twin/res/204` round trip.
enum TwinPatchLoad {
    static func run(devices: [ProvisionedDevice], patches: Int, tls: NIOSSLContext,
                    serverPID: Int32?) async throws -> ConcurrentLoad.Result {
        let gate = StartGate(expected: devices.count)
        let counter = WorkCounter(limit: patches)
        let windowBox = CPUWindowBox()
        let (outcome, finishedAt) = await withTaskGroup(of: (PhaseOutcome, ContinuousClock.Instant).self) { group in
            for device in devices {
                group.addTask {
                    var mine = PhaseOutcome()
                    var arrived = false
                    do {
                        try await MQTTClientSession.with(host: device.hub.hostName, port: device.hub.mqttPort, tls: tls) { session in
                            try await session.connect(DeviceProvisioner.hubConnect(device))
                            try await session.subscribe(["$iothub/twin/res/#"])
                            arrived = true
                            await gate.arrive()
                            await windowBox.start(serverPID: serverPID)
                            var requestId = 0
                            var packetIdentifier: UInt16 = 1
                            while counter.take() != nil {
                                requestId += 1
                                packetIdentifier = packetIdentifier == .max ? 2 : packetIdentifier + 1
                                let start = ContinuousClock.now
                                try await session.send(.publish(MQTTPublish(
                                    topic: "$iothub/twin/PATCH/properties/reported/?$rid=\(requestId)",
                                    payload: ByteBuffer(string: #"{"benchCounter":\#(requestId),"temperature":21.5,"firmware":"1.0.\#(requestId % 7)"}"#),
                                    qos: .atLeastOnce, packetIdentifier: packetIdentifier)))
                                let status = try await awaitTwinResponse(&session, requestId: requestId)
                                guard status == 204 else { throw BenchmarkError("reported patch answered \(status)") }
                                mine.completed += 1
                                mine.latencies.add(ContinuousClock.now - start)
                            }
                            try? await session.send(.disconnect)
                        }
                    } catch {
                        mine.record(failure: error)
                        if !arrived { await gate.arrive() }
                    }
                    return (mine, ContinuousClock.now)
                }
            }
            var all = PhaseOutcome()
            var last = ContinuousClock.now
            var first = true
            for await (share, finished) in group {
                all.merge(share)
                if first || finished > last { last = finished }
                first = false
            }
            return (all, last)
        }
        let openedAt = await gate.openedAt ?? finishedAt
        let cpu = await windowBox.finish()
        return ConcurrentLoad.Result(outcome: outcome, elapsed: finishedAt - openedAt, cpu: cpu)
    }

    private static func awaitTwinResponse(_ session: inout MQTTClientSession, requestId: Int) async throws -> Int {
        let prefix = "$iothub/twin/res/"
        while true {
            let publish = try await session.nextPublish()
            guard publish.topic.hasPrefix(prefix), publish.topic.contains("$rid=\(requestId)&") || publish.topic.hasSuffix("$rid=\(requestId)")
            else { continue }
            let status = publish.topic.dropFirst(prefix.count).prefix { $0 != "/" }
            return Int(status) ?? 0
        }
    }
}
