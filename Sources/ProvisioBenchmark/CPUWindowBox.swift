/// One ``CPUWindow`` opened by whichever task starts measured work first (after a ``StartGate``).
actor CPUWindowBox {
    private var window: CPUWindow?

    /// Opens the window unless it is open.
    func start(serverPID: Int32?) {
        if window == nil { window = CPUWindow(serverPID: serverPID) }
    }

    /// Closes the window.
    func finish() -> CPUWindow.Usage {
        window?.finish() ?? CPUWindow.Usage()
    }
}
