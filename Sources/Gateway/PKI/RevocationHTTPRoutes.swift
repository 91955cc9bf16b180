import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import PKI

/// The plain-HTTP revocation endpoints relying parties fetch without credentials: each CA's CRL at
/// `/crl/{ca}.crl` and the OCSP responder at `/ocsp` (POST, and GET with the base64 request in the path,
/// RFC 6960 appendix A).
public enum RevocationHTTPRoutes {
    /// OCSP requests are small; anything larger is refused before it is read.
    static let maximumRequestSize = 64 * 1024

    /// Adds the routes to `router`.
    public static func add<Context: RequestContext>(
        to router: Router<Context>, authority: RevocationAuthority, now: @escaping @Sendable () -> Date = Date.init
    ) {
        router.get("crl/:file") { _, context -> Response in
            let file = try context.parameters.require("file")
            guard file.hasSuffix(".crl") else { return Response(status: .notFound) }
            guard let list = try await authority.crl(forAuthorityNamed: String(file.dropLast(4)), now: now()) else {
                return Response(status: .notFound)
            }
            return response(list.derBytes, contentType: "application/pkix-crl", extra: [
                .lastModified: DateFormatting.http(list.thisUpdate),
                .expires: DateFormatting.http(list.nextUpdate),
            ])
        }
        router.post("ocsp") { request, context -> Response in
            let body = try await request.body.collect(upTo: maximumRequestSize)
            let answer = await authority.ocspResponse(for: Array(body.readableBytesView), now: now())
            return response(answer, contentType: "application/ocsp-response")
        }
        router.get("ocsp/**") { request, context -> Response in
            let answer = await authority.ocspResponse(for: decodeGETRequest(path: request.uri.path) ?? [], now: now())
            return response(answer, contentType: "application/ocsp-response")
        }
    }

    /// The DER request of a GET: everything after `/ocsp/`, percent-decoded, then base64 (padding optional).
    static func decodeGETRequest(path: String) -> [UInt8]? {
        guard let range = path.range(of: "/ocsp/") else { return nil }
        guard var text = String(path[range.upperBound...]).removingPercentEncoding else { return nil }
        text = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        return Data(base64Encoded: text).map { Array($0) }
    }

    private static func response(_ bytes: [UInt8], contentType: String, extra: [HTTPField.Name: String] = [:]) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        // Revocation takes effect at once; caches must come back rather than serve an older answer.
        headers[.cacheControl] = "no-cache"
        for (name, value) in extra { headers[name] = value }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
