import Hub

/// The live sessions are what `connectionState` and `connectedDeviceCount` report.
extension HubConnectionDirectory: DevicePresence {}
