import X509

extension EnrollmentService {
    /// Uploads (or replaces) CA certificate `name`; it must be a CA (basicConstraints CA=true). Replacing it with a
    /// different certificate resets verification; `isVerified` marks it verified on upload, as Azure allows.
    public func uploadCACertificate(name: String, certificate text: String?, isVerified: Bool = false,
                                    ifMatch: String?) async throws -> CACertificateDetails {
        try EnrollmentValidator.validateIdentifier(name, name: "certificate name")
        let certificate = try CertificateInput.parse(text, field: "certificate")
        guard case .isCertificateAuthority = try? certificate.extensions.basicConstraints else {
            throw ProvisioningError.badRequest("the certificate is not a CA certificate (basicConstraints CA=true is required)")
        }
        let pem = try CertificateInput.pem(certificate)
        let existing = try await repository.caCertificate(name: name)
        let expected = try expectedETag(ifMatch, current: existing?.etag, what: "certificate", id: name)
        let unchanged = existing?.certificatePEM == pem
        let version = newVersion(created: existing?.createdDateTimeUtc)
        let record = CACertificate(
            name: existing?.name ?? name, certificatePEM: pem,
            isVerified: isVerified || (unchanged && existing?.isVerified == true),
            verificationCode: unchanged && !isVerified ? existing?.verificationCode : nil,
            etag: version.etag, createdDateTimeUtc: version.created, lastUpdatedDateTimeUtc: version.updated)
        try await repository.saveCACertificate(record, expectedETag: expected)
        return CACertificateDetails(record: record, info: X509CertificateInfo(certificate))
    }

    /// Issues a fresh random verification code (48 upper-case hex digits) for proof of possession.
    public func generateVerificationCode(name: String, ifMatch: String?) async throws -> CACertificateDetails {
        var (record, certificate) = try await storedCACertificate(name: name)
        let expected = try expectedETag(ifMatch, current: record.etag, what: "certificate", id: name)
        record.verificationCode = randomBytes(24).map { byte in
            let digits = String(byte, radix: 16, uppercase: true)
            return digits.count == 1 ? "0" + digits : digits
        }.joined()
        let version = newVersion(created: record.createdDateTimeUtc)
        (record.etag, record.lastUpdatedDateTimeUtc) = (version.etag, version.updated)
        try await repository.saveCACertificate(record, expectedETag: expected)
        return CACertificateDetails(record: record, info: X509CertificateInfo(certificate))
    }

    /// Proof of possession: `text` must carry subject CN = the outstanding code and be signed by the CA's key.
    public func verifyCACertificate(name: String, certificate text: String?, ifMatch: String?) async throws -> CACertificateDetails {
        var (record, caCertificate) = try await storedCACertificate(name: name)
        let expected = try expectedETag(ifMatch, current: record.etag, what: "certificate", id: name)
        guard let code = record.verificationCode else {
            throw ProvisioningError.badRequest("no verification code is outstanding for '\(name.prefix(140))': generate one first")
        }
        let leaf = try CertificateInput.parse(text, field: "certificate")
        guard let commonName = leaf.subject.commonName, commonName.lowercased() == code.lowercased() else {
            throw ProvisioningError.badRequest("the verification certificate's subject CN does not match the verification code")
        }
        guard caCertificate.publicKey.isValidSignature(leaf.signature, for: leaf) else {
            throw ProvisioningError.badRequest("the verification certificate is not signed by the CA certificate's private key")
        }
        let version = newVersion(created: record.createdDateTimeUtc)
        record.isVerified = true
        record.verificationCode = nil
        (record.etag, record.lastUpdatedDateTimeUtc) = (version.etag, version.updated)
        try await repository.saveCACertificate(record, expectedETag: expected)
        return CACertificateDetails(record: record, info: X509CertificateInfo(caCertificate))
    }

    /// One uploaded CA certificate; 404 when absent.
    public func caCertificate(name: String) async throws -> CACertificateDetails {
        let (record, certificate) = try await storedCACertificate(name: name)
        return CACertificateDetails(record: record, info: X509CertificateInfo(certificate))
    }

    /// Every uploaded CA certificate, ordered by name.
    public func caCertificates() async throws -> [CACertificateDetails] {
        try await repository.caCertificates()
            .sorted { $0.name.lowercased() < $1.name.lowercased() }
            .map { record in CACertificateDetails(record: record, info: X509CertificateInfo(try Self.parseStored(record))) }
    }

    /// Deletes an uploaded CA certificate.
    public func deleteCACertificate(name: String, ifMatch: String?) async throws {
        let current = try await repository.caCertificate(name: name)
        guard current != nil else { throw Self.certificateNotFound(name) }
        let expected = try expectedETag(ifMatch, current: current?.etag, what: "certificate", id: name)
        try await repository.deleteCACertificate(name: name, expectedETag: expected)
    }

    private func storedCACertificate(name: String) async throws -> (CACertificate, Certificate) {
        guard let record = try await repository.caCertificate(name: name) else { throw Self.certificateNotFound(name) }
        return (record, try Self.parseStored(record))
    }

    /// Stored PEM was parsed on upload, so a failure here is corruption: an internal error, not the client's fault.
    private static func parseStored(_ record: CACertificate) throws -> Certificate {
        guard let certificate = CertificateText.parse(record.certificatePEM) else { throw ProvisioningError.internalError() }
        return certificate
    }

    static func certificateNotFound(_ name: String) -> ProvisioningError {
        .notFound("no CA certificate named '\(name.prefix(140))'", detail: 204)
    }
}
