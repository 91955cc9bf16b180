import Foundation

/// One measured row of the benchmark table.
struct BenchmarkResult {
    var name: String
    var packets: Int
    var bytesPerPacket: Int
    var elapsed: Duration
    var checksum: UInt64

    static let tableHeader = """
        operation |   packets/s |    MB/s | ns/packet | total
        ----------|-------------|---------|-----------|---------
        """

    var seconds: Double {
        let components = self.elapsed.components
        return Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    var row: String {
        let packetsPerSecond = Double(self.packets) / self.seconds
        let megabytesPerSecond = packetsPerSecond * Double(self.bytesPerPacket) / 1e6
        let nanosecondsPerPacket = self.seconds * 1e9 / Double(self.packets)
        let paddedName = self.name.padding(toLength: 9, withPad: " ", startingAt: 0)
        return paddedName + String(
            format: " | %11.0f | %7.1f | %9.1f | %6.3f s",
            packetsPerSecond,
            megabytesPerSecond,
            nanosecondsPerPacket,
            self.seconds
        )
    }
}
