/// A short random tag that keeps the ids of one run (groups, devices) apart from earlier runs on the same server.
enum RunTag {
    static func make() -> String {
        String(UInt32.random(in: 0x1000_0000...UInt32.max), radix: 16)
    }
}
