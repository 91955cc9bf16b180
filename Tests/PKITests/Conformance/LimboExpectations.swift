import X509

/// What the harness does not run, and the refusals of valid chains that are deliberate; each with its reason.
enum LimboExpectations {
    /// Why `testcase` is not run, or nil to run it.
    static func skipReason(_ testcase: LimboTestcase) -> String? {
        if let reason = skippedIDs[testcase.id] { return reason }
        if testcase.id.hasPrefix("webpki::cn::") { return commonNameProfile }
        for feature in testcase.features {
            if let reason = skippedFeatures[feature] { return reason }
        }
        if let algorithms = testcase.signatureAlgorithms, !algorithms.isEmpty {
            return "restricts signature algorithms, which the validator does not configure"
        }
        let purpose = testcase.validationKind == "SERVER" ? "serverAuth" : "clientAuth"
        if let usages = testcase.extendedKeyUsage, usages.contains(where: { $0 != purpose }) {
            return "asks for EKU \(usages) on a \(testcase.validationKind) chain"
        }
        return nil
    }

    /// Features whose rules the validator does not apply, so their cases cannot be judged.
    static let skippedFeatures: [String: String] = [
        "pedantic-webpki-eku":
            "CA/B Forum EKU rules (EKU required, no anyExtendedKeyUsage, none on roots, not critical) are not applied: "
            + "RFC 5280 §4.2.1.12 allows all four, device certificates often omit EKU, and the attestor has always accepted anyExtendedKeyUsage",
        "pedantic-public-suffix-wildcard":
            "needs the Public Suffix List, which the validator does not carry; device chains have no wildcard names",
    ]

    /// Why the CA/Browser Forum common-name profile cases are not run.
    static let commonNameProfile =
        "CA/B Forum BR §7.1.4.3 (a server leaf's CN must copy a SAN entry) is a certificate-profile lint the validator does "
        + "not apply: peer names are only ever matched against the SAN (PeerNamePolicy), so a CN cannot authenticate a name; "
        + "and eight SUCCESS cases of this suite have leaves that break §7.1.4.3 (CN example.com beside SAN *.example.com or "
        + "an IP-only SAN), so enforcing it would refuse them"

    /// Single cases not run, with the reason.
    static let skippedIDs: [String: String] = [
        "rfc5280::serial::zero":
            "pedantic-serial-number: RFC 5280 §4.1.2.2 says relying parties SHOULD gracefully handle a zero serial, "
            + "so the validator accepts it",
        "rfc5280::aki::cross-signed-root-missing-aki":
            "pedantic-rfc5280: RFC 5280 §6.1.1 (d) does not process the trust anchor's own issuer, and cve::cve-2024-0567 "
            + "requires a cross-signed anchor without AuthorityKeyIdentifier to validate",
        "webpki::ca-as-leaf":
            "conflicts with rfc5280::ca-as-leaf (and pathlen::validation-ignores-pathlen-in-leaf), which the validator follows",
        "webpki::nc::permitted-dns-match-noncritical":
            "conflicts with rfc5280::nc::permitted-dns-match-noncritical, which the validator follows: RFC 5280 §4.2.1.10 "
            + "requires NameConstraints to be critical",
    ]

    /// Valid chains the validator refuses, all because swift-certificates' `NameConstraintsPolicy` fails closed.
    static let knownRejections: [String: String] = [
        "rfc5280::nc::permitted-dn-match": "directoryName permitted subtrees are not supported by swift-certificates 1.21.1",
        "rfc5280::nc::permitted-self-issued":
            "swift-certificates applies name constraints to self-issued intermediates, which RFC 5280 §6.1.4 (g) exempts",
        "rfc5280::nc::nc-permits-email-exact": "rfc822Name constraints are not supported by swift-certificates 1.21.1",
        "rfc5280::nc::nc-permits-email-domain": "rfc822Name constraints are not supported by swift-certificates 1.21.1",
        "rfc5280::nc::nc-permits-email-literal-asterisk-exact-match":
            "rfc822Name constraints are not supported by swift-certificates 1.21.1",
        "rfc5280::nc::nc-permits-email-literal-double-asterisk":
            "rfc822Name constraints are not supported by swift-certificates 1.21.1",
        "rfc5280::nc::nc-permits-email-literal-mid-asterisk":
            "rfc822Name constraints are not supported by swift-certificates 1.21.1",
        "rfc5280::nc::nc-forbids-othername-noop": "otherName constraints are not supported by swift-certificates 1.21.1",
    ]

    /// limbo's KeyUsage names as a `KeyUsage`.
    static func keyUsage(_ names: [String]) -> KeyUsage {
        var usage = KeyUsage()
        for name in names {
            switch name {
            case "digitalSignature": usage.digitalSignature = true
            case "contentCommitment", "nonRepudiation": usage.nonRepudiation = true
            case "keyEncipherment": usage.keyEncipherment = true
            case "dataEncipherment": usage.dataEncipherment = true
            case "keyAgreement": usage.keyAgreement = true
            case "keyCertSign": usage.keyCertSign = true
            case "cRLSign": usage.cRLSign = true
            case "encipherOnly": usage.encipherOnly = true
            case "decipherOnly": usage.decipherOnly = true
            default: continue
            }
        }
        return usage
    }
}
