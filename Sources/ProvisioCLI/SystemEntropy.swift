#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Secure random bytes from the kernel, one read per request.
///
/// `EnrollmentService.systemRandomBytes` draws one byte per generator call — a system call per byte; an import of
/// 100,000 enrollments needs ~15 million random bytes, so it injects this source instead.
enum SystemEntropy {
    /// `/dev/urandom`, opened once; -1 when it cannot be opened (then the system generator fills whole words).
    private static let descriptor: Int32 = open("/dev/urandom", O_RDONLY | O_CLOEXEC)

    /// `count` bytes from the kernel's CSPRNG.
    @Sendable static func bytes(_ count: Int) -> [UInt8] {
        guard count > 0 else { return [] }
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var filled = 0
            while descriptor >= 0 && filled < count {
                let result = read(descriptor, buffer.baseAddress! + filled, count - filled)
                if result > 0 {
                    filled += result
                } else if result == 0 || errno != EINTR {
                    break
                }
            }
            var generator = SystemRandomNumberGenerator()
            while filled < count {
                var word = generator.next()
                let take = min(8, count - filled)
                withUnsafeBytes(of: &word) { bytes in
                    for offset in 0..<take { buffer[filled + offset] = bytes[offset] }
                }
                filled += take
            }
            initialized = count
        }
    }
}
