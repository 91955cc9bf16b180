import Foundation

extension EventRecordingDeviceRegistry {
    /// The twin-change events a job's twin write raises (none when nothing routes them), for the job store to append
    /// in the same transaction as the write, exactly as `save` would.
    func twinChangeEvents(shard: String, deviceId: String, old: DeviceTwin, new: DeviceTwin) -> [TelemetryMessage] {
        guard wants(shard, .twinChange),
              let event = HubEvent.twinChange(shard: shard, deviceId: deviceId, old: old, new: new, at: now())
        else { return [] }
        return [event]
    }

    /// Tells routing that events were committed.
    func eventsCommitted(shard: String) {
        recorded(shard)
    }
}
