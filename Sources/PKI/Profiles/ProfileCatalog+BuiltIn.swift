extension ProfileCatalog {
    /// The profiles shipped in `CA/`, compiled in for when no CA directory is configured (a test keeps them equal).
    public static let builtIn = ProfileCatalog(profiles: [
        CertificateProfile(
            unvalidatedName: "root-ca", keyAlgorithm: .ecdsaP256, validity: "20y",
            isCertificateAuthority: true, pathLength: 1, keyUsage: ["keyCertSign", "cRLSign"],
            extendedKeyUsage: [], subject: "CN={commonName}, O={organization}",
            validityDuration: 20 * 365 * 86_400
        ),
        CertificateProfile(
            unvalidatedName: "issuing-ca", keyAlgorithm: .ecdsaP256, validity: "10y",
            isCertificateAuthority: true, pathLength: 0, keyUsage: ["digitalSignature", "keyCertSign", "cRLSign"],
            extendedKeyUsage: [], subject: "CN={commonName}, O={organization}",
            validityDuration: 10 * 365 * 86_400
        ),
        CertificateProfile(
            unvalidatedName: "device-client", keyAlgorithm: .ecdsaP256, validity: "1y",
            isCertificateAuthority: false, pathLength: nil, keyUsage: ["digitalSignature"],
            extendedKeyUsage: ["clientAuth"], subject: "CN={commonName}",
            validityDuration: 365 * 86_400
        ),
        CertificateProfile(
            unvalidatedName: "tls-server", keyAlgorithm: .ecdsaP256, validity: "397d",
            isCertificateAuthority: false, pathLength: nil, keyUsage: ["digitalSignature"],
            extendedKeyUsage: ["serverAuth"], subject: "CN={commonName}, O={organization}",
            validityDuration: 397 * 86_400
        ),
        CertificateProfile(
            unvalidatedName: "ocsp-signer", keyAlgorithm: .ecdsaP256, validity: "30d",
            isCertificateAuthority: false, pathLength: nil, keyUsage: ["digitalSignature"],
            extendedKeyUsage: ["ocspSigning"], subject: "CN={commonName}, O={organization}",
            validityDuration: 30 * 86_400
        ),
    ])
}
