import AccessControl
import Foundation
import Hummingbird
import PKI

extension DPSServiceRoutes {
    /// `GET /audit?since=&action=&target=&limit=`: audit entries oldest first (the newest `limit`, default 100,
    /// at most 1000), in the export form, with the `serviceConfig` permission. Read-only.
    public static func addAuditRoutes<Context: RequestContext>(
        to router: Router<Context>, log: any AuditLog, authenticator: ServiceAuthenticator
    ) {
        router.get("audit") { request, _ -> Response in
            try authenticator.authorize(request, permission: .serviceConfig)
            let query = request.uri.queryParameters
            var filter = AuditFilter(action: query["action"].map(String.init), target: query["target"].map(String.init), limit: 100)
            if let since = query["since"] {
                guard let date = try? Date(String(since), strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
                        ?? (try? Date(String(since), strategy: Date.ISO8601FormatStyle())) else {
                    throw ServiceError.badRequest("since must be an ISO 8601 time such as 2025-01-31T12:00:00Z")
                }
                filter.since = date
            }
            if let limit = query["limit"] {
                guard let count = Int(limit), (0...1000).contains(count) else {
                    throw ServiceError.badRequest("limit must be a number from 0 to 1000")
                }
                filter.limit = count
            }
            let entries = try await log.auditEntries(matching: filter)
            return try ServiceJSON.response(entries.map(AuditEntryExport.init))
        }
    }
}
