/// Lets a set of tasks finish their set-up (connect, subscribe) before any starts the measured work, and
/// remembers when the measured work began.
actor StartGate {
    private let expected: Int
    private var arrived = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []
    /// When the last task arrived.
    private(set) var openedAt: ContinuousClock.Instant?

    /// A gate for `expected` tasks.
    init(expected: Int) {
        self.expected = expected
    }

    /// Waits until every task arrived; a task that failed its set-up must still arrive so the others go on.
    func arrive() async {
        arrived += 1
        if arrived >= expected {
            openedAt = .now
            for continuation in waiting { continuation.resume() }
            waiting = []
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }
}
