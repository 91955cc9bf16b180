import X509

/// A certificate store that finds issuers by RFC 5280 §7.1 name matching (see ``NormalizedName``) instead of
/// swift-certificates' exact, string-type-sensitive comparison.
struct NameMatchingCertificateStore: CustomCertificateStore {
    private var bySubject: [NormalizedName: [Certificate]] = [:]
    private var all: Set<Certificate> = []

    init(_ certificates: some Sequence<Certificate>) {
        append(contentsOf: certificates)
    }

    subscript(subject: DistinguishedName) -> [Certificate]? {
        get async { bySubject[NormalizedName(subject)] }
    }

    func contains(_ certificate: Certificate) async -> Bool {
        all.contains(certificate)
    }

    mutating func append(contentsOf certificates: some Sequence<Certificate>) {
        for certificate in certificates where all.insert(certificate).inserted {
            bySubject[NormalizedName(certificate.subject), default: []].append(certificate)
        }
    }

    /// The certificates whose subject matches `name`.
    func certificates(named name: DistinguishedName) -> [Certificate] {
        bySubject[NormalizedName(name)] ?? []
    }
}
