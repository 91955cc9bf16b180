/// Chooses an event's partition from its device id, so each device's events stay in order in one partition.
public enum EventPartitioner {
    /// FNV-1a (32-bit) of the device id's UTF-8 bytes, modulo `count`: stable across processes and versions.
    public static func partition(deviceId: String, count: Int) -> Int {
        guard count > 1 else { return 0 }
        var hash: UInt32 = 2_166_136_261
        for byte in deviceId.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return Int(hash % UInt32(count))
    }
}
