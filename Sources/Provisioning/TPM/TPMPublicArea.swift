import Crypto

/// `TPMT_PUBLIC`: the public area of a TPM object, for the two kinds this service handles — RSA keys (endorsement
/// and storage root keys) and keyed-hash objects (the HMAC identity keys it wraps for devices).
public struct TPMPublicArea: Sendable, Equatable {
    /// Type-specific parameters (`TPMU_PUBLIC_PARMS`).
    public enum Parameters: Sendable, Equatable {
        /// `TPMS_RSA_PARMS`.
        case rsa(TPMRSAParameters)
        /// `TPMS_KEYEDHASH_PARMS`: the scheme (HMAC, XOR or NULL) and its hash.
        case keyedHash(scheme: TPMAlgorithm, hash: TPMAlgorithm)
    }

    /// Hash algorithm of the object's Name.
    public var nameAlgorithm: TPMAlgorithm
    /// `objectAttributes`.
    public var attributes: TPMObjectAttributes
    /// `authPolicy` digest, empty when none.
    public var authPolicy: [UInt8]
    /// Type and parameters.
    public var parameters: Parameters
    /// `unique`: the RSA modulus, or the keyed-hash binding digest.
    public var unique: [UInt8]

    /// Creates a public area.
    public init(nameAlgorithm: TPMAlgorithm, attributes: TPMObjectAttributes, authPolicy: [UInt8], parameters: Parameters, unique: [UInt8]) {
        self.nameAlgorithm = nameAlgorithm
        self.attributes = attributes
        self.authPolicy = authPolicy
        self.parameters = parameters
        self.unique = unique
    }

    /// Parses a marshalled `TPM2B_PUBLIC` (what `tpm2_createek -u` writes and DPS carries in Base64); `subject` names
    /// it in errors.
    public init(sizedBytes bytes: [UInt8], subject: String = "the public area") throws(TPMFormatError) {
        var reader = TPMReader(bytes, subject: subject)
        let area = try reader.readSized()
        try reader.expectEnd()
        try self.init(bytes: area, subject: subject)
    }

    /// Parses a marshalled `TPMT_PUBLIC` (no size prefix); it must fit a `TPM2B_PUBLIC` (65535 bytes), so writing it
    /// back with its size prefix (`sizedBytes`) cannot overflow the `UINT16` size.
    public init(bytes: [UInt8], subject: String = "the public area") throws(TPMFormatError) {
        guard bytes.count <= Int(UInt16.max) else { throw TPMFormatError("\(subject) is longer than 65535 bytes") }
        var reader = TPMReader(bytes, subject: subject)
        let type = try reader.readAlgorithm()
        nameAlgorithm = try reader.readAlgorithm()
        guard nameAlgorithm.digestSize != nil else {
            throw TPMFormatError("\(subject) has an unsupported name algorithm \(nameAlgorithm)")
        }
        attributes = TPMObjectAttributes(rawValue: try reader.readUInt32())
        authPolicy = try reader.readSized()
        switch type {
        case .rsa:
            parameters = .rsa(try TPMRSAParameters(reading: &reader))
        case .keyedHash:
            let scheme = try reader.readAlgorithm()
            var hash = TPMAlgorithm.null
            if scheme == .hmac {
                hash = try reader.readAlgorithm()
            } else if scheme == .xor {
                hash = try reader.readAlgorithm()
                _ = try reader.readAlgorithm()  // The XOR KDF, which this service never uses.
            } else if scheme != .null {
                throw TPMFormatError("\(subject) has an unknown keyed-hash scheme \(scheme)")
            }
            parameters = .keyedHash(scheme: scheme, hash: hash)
        default:
            throw TPMFormatError("\(subject) is of type \(type); only RSA (0x0001) keys are supported")
        }
        unique = try reader.readSized()
        try reader.expectEnd()
    }

    /// The object type (`TPM_ALG_RSA` or `TPM_ALG_KEYEDHASH`).
    public var type: TPMAlgorithm {
        switch parameters {
        case .rsa: .rsa
        case .keyedHash: .keyedHash
        }
    }

    /// The RSA parameters, nil for other types.
    public var rsaParameters: TPMRSAParameters? {
        if case .rsa(let parameters) = parameters { return parameters }
        return nil
    }

    /// The marshalled `TPMT_PUBLIC`.
    public var bytes: [UInt8] {
        var writer = TPMWriter()
        writer.append(type)
        writer.append(nameAlgorithm)
        writer.append(attributes.rawValue)
        writer.append(sized: authPolicy)
        switch parameters {
        case .rsa(let rsa):
            rsa.write(to: &writer)
        case .keyedHash(let scheme, let hash):
            writer.append(scheme)
            if scheme == .hmac { writer.append(hash) }
            if scheme == .xor {
                writer.append(hash)
                writer.append(TPMAlgorithm.null)
            }
        }
        writer.append(sized: unique)
        return writer.bytes
    }

    /// The marshalled `TPM2B_PUBLIC`.
    public var sizedBytes: [UInt8] { TPMWriter.sized(bytes) }

    /// The object's Name: `nameAlg ‖ H_nameAlg(TPMT_PUBLIC)`, which TPM commands bind secrets to.
    public var name: [UInt8] {
        var writer = TPMWriter()
        writer.append(nameAlgorithm)
        writer.append(raw: TPMHash.digest(bytes, algorithm: nameAlgorithm))
        return writer.bytes
    }
}
