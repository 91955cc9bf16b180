import SwiftASN1
import X509

/// Where relying parties find revocation data: the CRL of each CA and the OCSP responder, under one plain-HTTP base URL.
///
/// The URLs go into the CRL Distribution Points and Authority Information Access extensions of every certificate
/// a CA signs while the endpoints are set, so they must name an address devices and verifiers can reach.
public struct RevocationEndpoints: Sendable, Equatable {
    /// `http://host:port`, without a trailing slash.
    public let baseURL: String

    /// Creates endpoints under `baseURL` (a trailing `/` is dropped).
    public init(baseURL: String) {
        var url = baseURL
        while url.hasSuffix("/") { url.removeLast() }
        self.baseURL = url
    }

    /// Creates endpoints for `http://host:port`, bracketing an IPv6 literal.
    public init(host: String, port: Int) {
        let authority = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        self.init(baseURL: "http://\(authority):\(port)")
    }

    /// The path of a CA's CRL: `/crl/{name}.crl`.
    public static func crlPath(forAuthorityNamed name: String) -> String {
        "/crl/\(name).crl"
    }

    /// The path of the OCSP responder.
    public static let ocspPath = "/ocsp"

    /// The full URL of a CA's CRL.
    public func crlURL(forAuthorityNamed name: String) -> String {
        baseURL + Self.crlPath(forAuthorityNamed: name)
    }

    /// The full URL of the OCSP responder.
    public var ocspURL: String {
        baseURL + Self.ocspPath
    }

    /// CRL Distribution Points (this CA's CRL) and Authority Information Access (OCSP) for a certificate `issuer` signs.
    func extensions(issuerName: String) throws -> [Certificate.Extension] {
        let access = AuthorityInformationAccess([.init(method: .ocspServer, location: .uniformResourceIdentifier(ocspURL))])
        return [
            try CRLDistributionPoints.extension(uri: crlURL(forAuthorityNamed: issuerName)),
            try Certificate.Extension(access, critical: false),
        ]
    }
}
