import Foundation
import NIOCore

/// Collects the bound address of every listener; when the last one is up, writes `connection.json` and
/// prints the `ready` line.
actor ReadinessTracker {
    private var bound: [String: SocketAddress] = [:]
    private let expected: Set<String>
    private let onReady: @Sendable ([String: SocketAddress]) async -> Void
    private var announced = false

    init(expected: Set<String>, onReady: @escaping @Sendable ([String: SocketAddress]) async -> Void) {
        self.expected = expected
        self.onReady = onReady
    }

    func listenerBound(_ name: String, at address: SocketAddress) async {
        bound[name] = address
        guard !announced, expected.isSubset(of: Set(bound.keys)) else { return }
        announced = true
        await onReady(bound)
    }
}
