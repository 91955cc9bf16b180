import Foundation
import Yams

/// Helpers shared by the YAML-backed configuration types in `CA/`: strict keys, `apiVersion`/`kind` checks, reading.
enum ConfigurationDocument {
    /// The only `apiVersion` this build understands.
    static let apiVersion = "provisio/v1"

    /// The `apiVersion` and `kind` of a document, read leniently to decide which type decodes it.
    struct Header: Decodable {
        var apiVersion: String?
        var kind: String?
    }

    /// A coding key for any string, used to list the keys a YAML mapping actually has.
    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Throws if the mapping being decoded has a key that `Keys` does not list.
    static func rejectUnknownKeys<Keys: CodingKey & CaseIterable>(
        _ keys: Keys.Type,
        in decoder: any Decoder,
        kind: String
    ) throws {
        let known = Set(Keys.allCases.map(\.stringValue))
        let present = try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue)
        if let unknown = present.sorted().first(where: { !known.contains($0) }) {
            throw PKIError(code: .invalidConfiguration, message: "unknown key '\(unknown)' in \(kind)")
        }
    }

    /// Throws unless `apiVersion` and `kind` are the expected ones.
    static func checkHeader(apiVersion: String, kind: String, expectedKind: String) throws {
        guard apiVersion == Self.apiVersion else {
            throw PKIError(
                code: .invalidConfiguration,
                message: "unsupported apiVersion '\(apiVersion)' in \(expectedKind) (expected \(Self.apiVersion))"
            )
        }
        guard kind == expectedKind else {
            throw PKIError(code: .invalidConfiguration, message: "kind is '\(kind)', expected \(expectedKind)")
        }
    }

    /// Reads a UTF-8 file, mapping I/O failures to `PKIError.fileSystem`.
    static func read(_ file: URL) throws -> String {
        do {
            return try String(contentsOf: file, encoding: .utf8)
        } catch {
            throw PKIError(code: .fileSystem, message: "could not read \(file.path)")
        }
    }

    /// Decodes `T` from YAML text, reporting failures as `invalidConfiguration` prefixed by `source`.
    static func decode<T: Decodable>(_ type: T.Type, from yaml: String, source: String) throws -> T {
        do {
            return try YAMLDecoder().decode(T.self, from: yaml)
        } catch let error as PKIError {
            throw PKIError(code: error.code, message: "\(source): \(error.message)")
        } catch let error as DecodingError {
            // Yams wraps errors thrown from `init(from:)` (such as an unknown key) as "not valid YAML".
            if case .dataCorrupted(let context) = error, let cause = context.underlyingError as? PKIError {
                throw PKIError(code: cause.code, message: "\(source): \(cause.message)")
            }
            throw PKIError(code: .invalidConfiguration, message: "\(source): \(describe(error))")
        } catch {
            throw PKIError(code: .invalidConfiguration, message: "\(source): not valid YAML (\(error))")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map(\.stringValue).joined(separator: ".")
            return keys.isEmpty ? "document" : keys
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context)
            return "missing key '\(key.stringValue)'" + (context.codingPath.isEmpty ? "" : " in \(parent)")
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "bad value at \(path(context)): \(context.debugDescription)"
        @unknown default:
            return "could not decode: \(error)"
        }
    }
}
