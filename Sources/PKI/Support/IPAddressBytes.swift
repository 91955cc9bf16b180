#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Converts textual IP addresses into the raw network-order octets an `iPAddress` SAN holds.
enum IPAddressBytes {
    /// 4 octets for IPv4, 16 for IPv6 (including `::ffff:a.b.c.d` forms); `nil` when `text` is neither.
    static func parse(_ text: String) -> [UInt8]? {
        // Zone IDs (fe80::1%eth0) and brackets are not part of an address in a certificate.
        guard !text.contains("%"), !text.contains("["), text.utf8.count <= 45 else { return nil }
        if let v4 = convert(text, family: AF_INET, size: 4) { return v4 }
        return convert(text, family: AF_INET6, size: 16)
    }

    private static func convert(_ text: String, family: Int32, size: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: size)
        let result = bytes.withUnsafeMutableBytes { buffer in
            inet_pton(family, text, buffer.baseAddress)
        }
        return result == 1 ? bytes : nil
    }
}
