import Foundation
import Gateway
import PKI
import Provisioning
import AccessControl
import Storage
import SwiftASN1
import X509
#if canImport(Glibc)
import Glibc
#endif

/// Everything a data directory holds, created on first start and reused after: ID scope, CA hierarchy,
/// shared access policies and the listeners' TLS identities.
public struct Installation: Sendable {
    /// The data directory.
    public let dataDirectory: DataDirectory
    /// The database.
    public let database: ProvisioDatabase
    /// The DPS ID scope.
    public let idScope: IDScope
    /// Root and issuing CA of the generation active when the directory was opened.
    public let hierarchy: CAHierarchy
    /// Every CA generation, kept current by the server while it runs (`provisio ca rotate`/`retire`).
    public let authorities: LiveCertificateAuthorities
    /// Loads, adds and retires CA generations of this directory.
    public let rotation: CARotation
    /// DPS service policies (`provisioningserviceowner`, …).
    public let dpsPolicies: [SharedAccessPolicy]
    /// Hub policies per shard name (`iothubowner`, …).
    public let hubPolicies: [String: [SharedAccessPolicy]]
    /// TLS identity per endpoint name (`dps`, shard names).
    public let tlsIdentities: [String: TLSServerIdentity]

    /// Opens the data directory, creating whatever is missing.
    public static func open(dataDirectory: DataDirectory, configuration: ServerConfiguration, now: Date = Date()) async throws -> Installation {
        try dataDirectory.prepare()
        let database = try ProvisioDatabase(path: dataDirectory.database.path)
        let rotation = CARotation(dataDirectory: dataDirectory, database: database)
        let generations = try await rotation.load(now: now)
        let revocationEndpoints = RevocationEndpoints(host: configuration.dps.endpoint.hostName, port: configuration.dps.pkiHTTPPort)
        try database.saveSetting(ProvisioDatabase.revocationBaseURLSetting, value: revocationEndpoints.baseURL)
        let authorities = try LiveCertificateAuthorities(
            set: generations, configuration: rotation.configuration, inventory: database,
            revocationEndpoints: revocationEndpoints)
        let hierarchy = authorities.hierarchy(at: now)
        try AtomicFile.write(Data(generations.trustBundlePEM.utf8), to: dataDirectory.trustBundle)
        let idScope = try database.loadOrCreateIDScope()
        let dpsPolicies = try database.loadOrCreatePolicies(scope: "dps") { SharedAccessPolicy.defaultProvisioningPolicies() }
        var hubPolicies: [String: [SharedAccessPolicy]] = [:]
        for shard in configuration.shards {
            hubPolicies[shard.name] = try database.loadOrCreatePolicies(scope: "hub:\(shard.name)") { SharedAccessPolicy.defaultHubPolicies() }
        }
        let identities = try await serverIdentities(configuration: configuration, hierarchy: hierarchy,
                                                    trustRootsPEM: generations.trustBundlePEM, dataDirectory: dataDirectory, now: now)
        return Installation(dataDirectory: dataDirectory, database: database, idScope: idScope, hierarchy: hierarchy,
                            authorities: authorities, rotation: rotation,
                            dpsPolicies: dpsPolicies, hubPolicies: hubPolicies, tlsIdentities: identities)
    }

    /// The TLS identity of every endpoint (`dps`, shard names), issued by `hierarchy` unless a stored one fits.
    static func serverIdentities(configuration: ServerConfiguration, hierarchy: CAHierarchy, trustRootsPEM: String,
                                 dataDirectory: DataDirectory, now: Date) async throws -> [String: TLSServerIdentity] {
        var identities: [String: TLSServerIdentity] = [:]
        let endpoints = [("dps", configuration.dps.endpoint, ["localhost"])] + configuration.shards.map { ($0.name, $0.endpoint, [String]()) }
        for (name, endpoint, extraNames) in endpoints {
            identities[name] = try await serverIdentity(
                name: name, names: Set(endpoint.subjectAlternativeNames + extraNames),
                hierarchy: hierarchy, trustRootsPEM: trustRootsPEM, dataDirectory: dataDirectory, now: now)
        }
        return identities
    }

    /// Reuses the stored server certificate while it names the same hosts, comes from the current issuing CA and
    /// has 30 days left; otherwise issues a new one.
    private static func serverIdentity(name: String, names: Set<String>, hierarchy: CAHierarchy, trustRootsPEM: String,
                                       dataDirectory: DataDirectory, now: Date) async throws -> TLSServerIdentity {
        let certificateFile = dataDirectory.tlsDirectory.appendingPathComponent("\(name).cert.pem")
        let keyFile = dataDirectory.tlsDirectory.appendingPathComponent("\(name).key.pem")
        let trustRoots = trustRootsPEM
        if let chainPEM = try? String(contentsOf: certificateFile, encoding: .utf8),
           let keyPEM = try? String(contentsOf: keyFile, encoding: .utf8),
           let leaf = try? Certificate(pemEncoded: chainPEM),
           leaf.issuer == hierarchy.issuing.certificate.subject,
           leaf.notValidAfter > now.addingTimeInterval(30 * 86_400),
           Set(leaf.subjectAlternativeNameStrings) == names {
            return TLSServerIdentity(certificateChainPEM: chainPEM, privateKeyPEM: keyPEM, clientTrustRootsPEM: trustRoots)
        }
        let ipAddresses = names.filter(IPAddressText.isLiteral).sorted()
        let dnsNames = names.subtracting(ipAddresses).sorted()
        let credential = try await hierarchy.issueTLSServerCertificate(
            dnsNames: dnsNames, ipAddresses: ipAddresses, now: now,
            profile: try ProfileCatalog.builtIn.profile(named: "tls-server"))
        try AtomicFile.write(Data(credential.privateKeyPEM.utf8), to: keyFile, permissions: 0o600)
        try AtomicFile.write(Data(credential.certificateChainPEM.utf8), to: certificateFile)
        return TLSServerIdentity(certificateChainPEM: credential.certificateChainPEM,
                                 privateKeyPEM: credential.privateKeyPEM, clientTrustRootsPEM: trustRoots)
    }
}

extension EndpointConfiguration {
    /// Every name and address a client may dial for this endpoint.
    var subjectAlternativeNames: [String] {
        var names = [hostName]
        if let listenAddress, listenAddress != "0.0.0.0", listenAddress != "::" { names.append(listenAddress) }
        return names
    }
}

extension Certificate {
    /// DNS names and IP addresses from the SAN extension, as text.
    var subjectAlternativeNameStrings: [String] {
        guard let names = try? extensions.subjectAlternativeNames else { return [] }
        return names.compactMap { name in
            switch name {
            case .dnsName(let dns): return dns
            case .ipAddress(let octets):
                let bytes = Array(octets.bytes)
                if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
                if bytes.count == 16 {
                    var address = in6_addr()
                    withUnsafeMutableBytes(of: &address) { $0.copyBytes(from: bytes) }
                    var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
                    return inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count)).map { _ in String(cString: buffer) }
                }
                return nil
            default: return nil
            }
        }
    }
}
