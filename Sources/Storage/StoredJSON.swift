import Foundation
import Provisioning

/// Encodes and decodes the JSON column of a record; errors name the record, never its content (it may hold keys).
struct StoredJSON {
    private let encoder: JSONEncoder
    private let decoder = JSONDecoder()

    /// Creates a coder; make one per operation rather than sharing the reference-type Foundation coders.
    init() {
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    }

    /// The JSON text of `value`; `badRequest` when it holds something JSON cannot represent (NaN, infinity).
    func encode(_ value: some Encodable, record: @autoclosure () -> String) throws -> String {
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            throw ProvisioningError.badRequest("\(record()) contains a value that cannot be stored as JSON")
        }
    }

    /// The value stored as `text`; `corruptRecord` when it does not decode.
    func decode<Value: Decodable>(_ type: Value.Type, from text: String, record: @autoclosure () -> String) throws -> Value {
        do {
            return try decoder.decode(type, from: Data(text.utf8))
        } catch {
            // The decoding error is dropped on purpose: its context can quote stored values.
            throw StorageError(.corruptRecord, "the stored \(record()) cannot be decoded")
        }
    }
}
