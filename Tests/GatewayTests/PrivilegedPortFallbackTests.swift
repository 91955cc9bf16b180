#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Gateway
import NIOCore
import Testing

/// Only a bind refused for lack of privilege moves HTTPS to its unprivileged port; other bind failures stay errors.
@Suite struct PrivilegedPortFallbackTests {
    @Test func onlyPermissionDeniedFallsBack() {
        #expect(PrivilegedPortFallback.isPermissionDenied(IOError(errnoCode: EACCES, reason: "bind(descriptor:ptr:bytes:)")))
        #expect(!PrivilegedPortFallback.isPermissionDenied(IOError(errnoCode: EADDRINUSE, reason: "bind(descriptor:ptr:bytes:)")))
        #expect(!PrivilegedPortFallback.isPermissionDenied(IOError(errnoCode: EADDRNOTAVAIL, reason: "bind(descriptor:ptr:bytes:)")))
        #expect(!PrivilegedPortFallback.isPermissionDenied(GatewayError(.cannotListen, "address already in use")))
    }
}
