import Foundation
import Provisioning
import SwiftASN1
import X509
import Yams

/// `Policies/tpm-attestation.yaml`: which TPM manufacturer CAs EK certificates may chain to, and whether every TPM
/// enrollment must carry one. Decoded strictly (unknown keys are errors); certificate paths are relative to the file.
public struct TPMAttestationPolicyDocument: Codable, Sendable, Equatable {
    /// Always `provisio/v1`.
    public var apiVersion: String
    /// Always `TPMAttestationPolicy`.
    public var kind: String
    /// PEM files (one or more certificates each) of TPM manufacturer CAs; every certificate is a trust anchor.
    public var manufacturerCertificates: [String]
    /// Whether every TPM enrollment must carry an EK certificate.
    public var requireEndorsementKeyCertificate: Bool

    /// The file the server looks for in its working directory when `dps.tpmAttestationPolicy` is not set.
    public static let defaultPath = "Policies/tpm-attestation.yaml"

    enum CodingKeys: String, CodingKey, CaseIterable {
        case apiVersion, kind, manufacturerCertificates, requireEndorsementKeyCertificate
    }

    /// Decodes strictly; the lists and the flag default to empty and false.
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try container.decode(String.self, forKey: .apiVersion)
        kind = try container.decode(String.self, forKey: .kind)
        manufacturerCertificates = try container.decodeIfPresent([String].self, forKey: .manufacturerCertificates) ?? []
        requireEndorsementKeyCertificate = try container.decodeIfPresent(Bool.self, forKey: .requireEndorsementKeyCertificate) ?? false
    }

    /// The policy the server runs with: the file `configured` (relative to the working directory) names, else
    /// `Policies/tpm-attestation.yaml` when it exists, else none.
    public static func policy(configured: String?, workingDirectory: URL) throws -> TPMAttestationPolicy {
        if let configured {
            let url = configured.hasPrefix("/") ? URL(fileURLWithPath: configured) : workingDirectory.appendingPathComponent(configured)
            return try load(file: url)
        }
        let fallback = workingDirectory.appendingPathComponent(defaultPath)
        guard FileManager.default.fileExists(atPath: fallback.path) else { return .none }
        return try load(file: fallback)
    }

    /// Loads a policy file and the certificates it names.
    public static func load(file: URL) throws -> TPMAttestationPolicy {
        let text: String
        do {
            text = try String(contentsOf: file, encoding: .utf8)
        } catch {
            throw ConfigurationError("cannot read the TPM attestation policy \(file.path): \(error.localizedDescription)")
        }
        let document = try parse(yaml: text, source: file.path)
        var anchors: [Certificate] = []
        for path in document.manufacturerCertificates {
            let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : file.deletingLastPathComponent().appendingPathComponent(path)
            anchors += try certificates(in: url, source: file.path)
        }
        return TPMAttestationPolicy(manufacturerCertificates: anchors,
                                    requiresEndorsementKeyCertificate: document.requireEndorsementKeyCertificate)
    }

    /// Parses YAML text and checks the version and kind.
    public static func parse(yaml: String, source: String) throws -> TPMAttestationPolicyDocument {
        let document: TPMAttestationPolicyDocument
        do {
            document = try YAMLDecoder().decode(TPMAttestationPolicyDocument.self, from: yaml)
        } catch let error as DecodingError {
            throw ConfigurationError("\(source): \(ConfigurationError.describe(error))")
        } catch {
            throw ConfigurationError("\(source): not valid YAML: \(error)")
        }
        guard document.apiVersion == "provisio/v1" else {
            throw ConfigurationError("\(source): apiVersion must be provisio/v1, not \(document.apiVersion)")
        }
        guard document.kind == "TPMAttestationPolicy" else {
            throw ConfigurationError("\(source): kind must be TPMAttestationPolicy, not \(document.kind)")
        }
        return document
    }

    /// Every certificate of a PEM file; a file with none, or one that is not PEM, is an error.
    private static func certificates(in url: URL, source: String) throws -> [Certificate] {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw ConfigurationError("\(source): cannot read manufacturer certificate \(url.path): \(error.localizedDescription)")
        }
        let certificates: [Certificate]
        do {
            certificates = try PEMDocument.parseMultiple(pemString: text).map { try Certificate(pemDocument: $0) }
        } catch {
            throw ConfigurationError("\(source): \(url.path) is not a PEM certificate file: \(error)")
        }
        guard !certificates.isEmpty else { throw ConfigurationError("\(source): \(url.path) holds no certificate") }
        return certificates
    }
}
