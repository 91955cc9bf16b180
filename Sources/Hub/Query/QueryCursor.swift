import Foundation

/// Where the next page of a query starts, carried opaquely in `x-ms-continuation`.
///
/// Streaming queries resume after a device key, so pages stay stable while devices are added or removed; sorted,
/// grouped and counted results resume at a position in the evaluated result.
enum QueryCursor: Sendable, Equatable {
    /// After this device key.
    case key(String)
    /// At this index of the whole result.
    case position(Int)

    /// Device keys never start with this character, so it tells the two forms apart.
    private static let positionMarker: Character = "\u{1}"

    /// The token text (base64).
    var token: String {
        switch self {
        case .key(let key): Data(key.utf8).base64EncodedString()
        case .position(let position): Data("\(Self.positionMarker)\(position)".utf8).base64EncodedString()
        }
    }

    /// Reads a token; blank means the first page (nil).
    init?(token: String) throws(HubError) {
        let trimmed = token.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        guard let data = Data(base64Encoded: trimmed), let text = String(data: data, encoding: .utf8), !text.isEmpty else {
            throw .badRequest("x-ms-continuation is not a continuation token this hub issued")
        }
        guard text.first == Self.positionMarker else {
            self = .key(text)
            return
        }
        guard let position = Int(text.dropFirst()), position >= 0 else {
            throw .badRequest("x-ms-continuation is not a continuation token this hub issued")
        }
        self = .position(position)
    }
}
