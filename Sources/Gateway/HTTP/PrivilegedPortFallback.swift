#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// Recognises a bind refused for lack of privilege, the one failure after which an HTTPS listener on 443 moves to its
/// unprivileged port (a port in use or an address not on this machine stays an error: moving would hide it).
public enum PrivilegedPortFallback {
    /// Whether `error` is the EACCES of a `bind` (ports below `net.ipv4.ip_unprivileged_port_start` without
    /// CAP_NET_BIND_SERVICE).
    public static func isPermissionDenied(_ error: any Error) -> Bool {
        if let error = error as? IOError { return error.errnoCode == EACCES }
        return String(describing: error).contains("Permission denied")
    }
}
