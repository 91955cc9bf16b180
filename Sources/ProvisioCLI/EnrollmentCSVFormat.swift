import Foundation
import Provisioning

/// The CSV import format: a header row naming the columns, then one individual enrollment per row.
///
/// `attestation` is `symmetricKey`, `x509` or `tpm`. Symmetric-key rows take `primaryKey`/`secondaryKey` (empty ones are
/// generated); TPM rows put the endorsement key in `primaryKey` and the storage root key in `secondaryKey`; X.509 rows
/// name a device certificate in `certificateFile` (relative paths are resolved against the CSV's directory).
/// `iotHubs` are separated by `;`; `initialTwin` is JSON text.
struct EnrollmentCSVFormat {
    /// The columns the header may name, in their documented order.
    enum Column: String, CaseIterable {
        case registrationId, deviceId, attestation, primaryKey, secondaryKey, certificateFile, iotHubs, allocationPolicy
        case provisioningStatus, initialTwin
    }

    /// The documented header line.
    static let header = Column.allCases.map(\.rawValue).joined(separator: ",")

    /// Directory relative certificate paths are resolved against.
    let baseDirectory: URL

    /// The entries of a CSV file; a missing or unusable header makes the whole file unreadable.
    func entries(_ bytes: [UInt8]) throws -> [ImportEntry] {
        let records = try CSVReader.records(bytes)
        guard let header = records.first else { throw CLIError("the CSV file is empty: it needs the header \(Self.header)") }
        let columns = try Self.columns(header)
        return records.dropFirst().map { entry($0, columns: columns, width: header.fields.count) }
    }

    /// Column positions by name (any order, case-insensitive); unknown names are refused so a typo never drops data.
    private static func columns(_ header: CSVRecord) throws -> [Column: Int] {
        var positions: [Column: Int] = [:]
        for (position, name) in header.fields.enumerated() {
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard let column = Column.allCases.first(where: { $0.rawValue.lowercased() == trimmed.lowercased() }) else {
                throw CLIError("line \(header.line): unknown column '\(trimmed.prefix(60))'; the header is \(Self.header)")
            }
            guard positions[column] == nil else { throw CLIError("line \(header.line): column \(column.rawValue) appears twice") }
            positions[column] = position
        }
        for required in [Column.registrationId, .attestation] where positions[required] == nil {
            throw CLIError("line \(header.line): the header lacks \(required.rawValue); it is \(Self.header)")
        }
        return positions
    }

    private func entry(_ record: CSVRecord, columns: [Column: Int], width: Int) -> ImportEntry {
        func cell(_ column: Column) -> String {
            guard let position = columns[column], position < record.fields.count else { return "" }
            return record.fields[position].trimmingCharacters(in: .whitespaces)
        }
        let registrationId = cell(.registrationId)
        guard record.fields.count == width else {
            return ImportEntry(line: record.line, registrationId: registrationId,
                               content: .failure(CLIError("the row has \(record.fields.count) fields, the header \(width)")))
        }
        do {
            return ImportEntry(line: record.line, registrationId: registrationId, content: .success(try enrollment(cell)))
        } catch {
            return ImportEntry(line: record.line, registrationId: registrationId, content: .failure(CLIError.from(error)))
        }
    }

    private func enrollment(_ cell: (Column) -> String) throws -> IndividualEnrollment {
        let (primary, secondary, certificateFile) = (cell(.primaryKey), cell(.secondaryKey), cell(.certificateFile))
        let attestation: AttestationMechanism
        switch try EnrollmentFieldText.attestationKind(cell(.attestation)) {
        case .symmetricKey:
            guard certificateFile.isEmpty else { throw CLIError("certificateFile applies to x509 rows only") }
            attestation = AttestationMechanism(type: .symmetricKey, symmetricKey: SymmetricKeyAttestation(
                primaryKey: primary.isEmpty ? nil : primary, secondaryKey: secondary.isEmpty ? nil : secondary))
        case .tpm:
            guard certificateFile.isEmpty else { throw CLIError("certificateFile applies to x509 rows only") }
            attestation = AttestationMechanism(type: .tpm, tpm: TPMAttestation(
                endorsementKey: primary, storageRootKey: secondary.isEmpty ? nil : secondary))
        case .x509:
            guard primary.isEmpty, secondary.isEmpty else {
                throw CLIError("primaryKey and secondaryKey apply to symmetricKey and tpm rows, not x509")
            }
            guard !certificateFile.isEmpty else { throw CLIError("certificateFile is required for x509 rows") }
            let text = try CertificateFile.text(certificateFile, relativeTo: baseDirectory)
            attestation = AttestationMechanism(type: .x509, x509: X509Attestation(
                clientCertificates: X509Certificates(primary: X509CertificateWithInfo(certificate: text))))
        case .none:
            throw CLIError("unknown attestation 'none': use symmetricKey, x509 or tpm")
        }
        var enrollment = IndividualEnrollment(registrationId: cell(.registrationId), attestation: attestation)
        let deviceId = cell(.deviceId)
        enrollment.deviceId = deviceId.isEmpty ? nil : deviceId
        enrollment.iotHubs = EnrollmentFieldText.hubList(cell(.iotHubs))
        let policy = cell(.allocationPolicy)
        enrollment.allocationPolicy = policy.isEmpty ? nil : try EnrollmentFieldText.allocationPolicy(policy)
        let status = cell(.provisioningStatus)
        enrollment.provisioningStatus = status.isEmpty ? nil : try EnrollmentFieldText.provisioningStatus(status)
        let twin = cell(.initialTwin)
        enrollment.initialTwin = twin.isEmpty ? nil : try EnrollmentFieldText.initialTwin(twin)
        return enrollment
    }
}
