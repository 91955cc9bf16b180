import Foundation
import Provisioning

/// The JSON import format: one array of `IndividualEnrollment` objects in DPS's wire shape.
///
/// The array is cut into its elements before decoding, so one malformed enrollment is a rejected entry (with its
/// line) instead of a failed file; only a file that is not an array at all is unreadable.
enum EnrollmentJSONFormat {
    /// The entries of a JSON file.
    static func entries(_ bytes: [UInt8]) throws -> [ImportEntry] {
        try JSONArrayElements.split(bytes).map { element in
            let data = Data(bytes[element.range])
            let registrationId = (try? JSONDecoder().decode(IdentifierProbe.self, from: data))?.registrationId ?? ""
            do {
                let enrollment = try JSONDecoder().decode(IndividualEnrollment.self, from: data)
                return ImportEntry(line: element.line, registrationId: enrollment.registrationId, content: .success(enrollment))
            } catch let error as DecodingError {
                return ImportEntry(line: element.line, registrationId: registrationId, content: .failure(CLIError(describe(error))))
            } catch {
                return ImportEntry(line: element.line, registrationId: registrationId, content: .failure(CLIError("not a valid JSON object")))
            }
        }
    }

    /// Just the id, to name a malformed entry and catch duplicates of it.
    private struct IdentifierProbe: Decodable {
        var registrationId: String?
    }

    /// What is wrong, by JSON path; never the offending value (it may be a key).
    private static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
            let parts = (keys + (last.map { [$0] } ?? [])).map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return parts.isEmpty ? "the entry" : "'" + parts.joined(separator: ".").replacingOccurrences(of: ".[", with: "[") + "'"
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(path(context.codingPath, key)) is required"
        case .valueNotFound(_, let context): return "\(path(context.codingPath)) must not be null"
        case .typeMismatch(_, let context): return "\(path(context.codingPath)) has the wrong JSON type"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "the entry is not valid JSON" : "\(path(context.codingPath)) has an invalid value"
        @unknown default: return "the entry does not have the shape of an IndividualEnrollment"
        }
    }
}
