import Foundation
import Hummingbird

extension RequestContext {
    /// A path parameter, percent-decoded (SDKs quote ids, so `:` arrives as `%3A`); a 400 when missing or empty.
    func decodedParameter(_ name: String) throws(ServiceError) -> String {
        guard let raw = parameters.get(name), let decoded = raw.removingPercentEncoding, !decoded.isEmpty else {
            throw ServiceError.badRequest("the path is missing its \(name)")
        }
        return decoded
    }
}
