import MQTTCodec
import NIOCore
import NIOSSL

/// Connections opened, brought up and then held idle until `close()`, for memory measurements.
final class IdleConnections: Sendable {
    private let release: AsyncStream<Void>.Continuation
    private let holders: [Task<Void, any Error>]

    private init(release: AsyncStream<Void>.Continuation, holders: [Task<Void, any Error>]) {
        self.release = release
        self.holders = holders
    }

    /// `count` AMQP connections, each through SASL, open, begin and `prepare` (a CBS token).
    static func holdAMQP(count: Int, host: String, port: Int, tls: NIOSSLContext,
                         prepare: @escaping @Sendable (inout AMQPBenchClient) async throws -> Void) async throws -> IdleConnections {
        try await hold(count: count) { up, released in
            try await AMQPBenchClient.with(host: host, port: port, tls: tls) { client in
                try await prepare(&client)
                up()
                await released()
            }
        }
    }

    /// One MQTT connection (CONNECT accepted) per device.
    static func holdMQTT(devices: [ProvisionedDevice], count: Int, tls: NIOSSLContext) async throws -> IdleConnections {
        try await hold(count: min(count, devices.count)) { index, up, released in
            let device = devices[index]
            try await MQTTClientSession.with(host: device.hub.hostName, port: device.hub.mqttPort, tls: tls, readTimeout: .seconds(600)) { session in
                try await session.connect(DeviceProvisioner.hubConnect(device))
                up()
                await released()
            }
        }
    }

    private static func hold(count: Int, _ open: @escaping @Sendable (_ up: @Sendable () -> Void, _ released: @Sendable () async -> Void) async throws -> Void)
        async throws -> IdleConnections {
        try await hold(count: count) { _, up, released in try await open(up, released) }
    }

    private static func hold(
        count: Int, _ open: @escaping @Sendable (_ index: Int, _ up: @Sendable () -> Void, _ released: @Sendable () async -> Void) async throws -> Void
    ) async throws -> IdleConnections {
        let (releaseStream, release) = AsyncStream<Void>.makeStream()
        let broadcast = ReleaseBroadcast(releaseStream)
        let (upStream, upContinuation) = AsyncStream<Void>.makeStream()
        var holders: [Task<Void, any Error>] = []
        for index in 0..<count {
            holders.append(Task {
                try await open(index, { upContinuation.yield() }, { await broadcast.wait() })
            })
        }
        var up = 0
        for await _ in upStream {
            up += 1
            if up == count { break }
        }
        return IdleConnections(release: release, holders: holders)
    }

    /// Lets every connection close and waits for them.
    func close() async {
        release.finish()
        for holder in holders { _ = try? await holder.value }
    }
}

/// One release signal many holders wait for.
private actor ReleaseBroadcast {
    private var released = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(_ stream: AsyncStream<Void>) {
        Task { [weak self] in
            for await _ in stream {}
            await self?.fire()
        }
    }

    private func fire() {
        released = true
        for waiter in waiters { waiter.resume() }
        waiters = []
    }

    func wait() async {
        guard !released else { return }
        await withCheckedContinuation { waiters.append($0) }
    }
}
