/// Tells a connected ``TelemetryPublisher`` to start publishing (an outbound user event).
struct StartPublishing: Sendable {}
