import Foundation
import Hub
import Hummingbird
import AccessControl
import HTTPTypes
import Provisioning

extension HubServiceRoutes {
    /// Jobs v2: `PUT/GET /jobs/v2/{id}`, `POST /jobs/v2/{id}/cancel`, `GET /jobs/v2/query?jobType=&jobStatus=`.
    /// Creating and cancelling need `registryWrite`; reading needs `registryRead`.
    static func addJobRoutes<Context: RequestContext>(to routes: RouterGroup<Context>, _ environment: Environment) {
        let shard = environment.shard
        let authenticator = environment.authenticator
        routes.get("jobs/v2/query") { request, _ -> Response in
            try authenticator.authorize(request, permission: .registryRead)
            let type = try request.uri.queryParameters["jobType"].flatMap { text throws(ServiceError) -> ScheduledJob.Kind? in
                guard !text.isEmpty else { return nil }
                guard let type = ScheduledJob.Kind(rawValue: String(text)) else {
                    throw ServiceError.badRequest("jobType '\(text)' is not scheduleUpdateTwin or scheduleDeviceMethod")
                }
                return type
            }
            let status = try request.uri.queryParameters["jobStatus"].flatMap { text throws(ServiceError) -> ScheduledJob.Status? in
                guard !text.isEmpty else { return nil }
                guard let status = ScheduledJob.Status(rawValue: String(text)) else {
                    let known = ScheduledJob.Status.allCases.map(\.rawValue).joined(separator: ", ")
                    throw ServiceError.badRequest("jobStatus '\(text)' is not one of \(known)")
                }
                return status
            }
            let pageSize = min(1000, max(1, try integer(request.headers[.msMaxItemCount].map { Substring($0) }, name: "x-ms-max-item-count") ?? 100))
            let offset = try jobQueryOffset(request.headers[.msContinuation])
            let all = try await shard.scheduledJobs(type: type, status: status)
            let page = all.dropFirst(offset).prefix(pageSize).map { ScheduledJobDocument.response($0.job, statistics: $0.statistics) }
            let next = offset + page.count < all.count ? Data(String(offset + page.count).utf8).base64EncodedString() : nil
            var headers = HTTPFields()
            headers[.msItemType] = "jobResponse"
            if let next { headers[.msContinuation] = next }
            return try ServiceJSON.response(JSONValue.object([
                "type": .string("jobResponse"), "items": .array(page), "continuationToken": next.map(JSONValue.string) ?? .null,
            ]), headers: headers)
        }
        routes.put("jobs/v2/:id") { request, context -> Response in
            try authenticator.authorize(request, permission: .registryWrite)
            let id = try context.decodedParameter("id")
            let job = try ScheduledJobDocument.job(from: try await jsonBody(request, context: context), pathId: id, now: Date())
            let created = try await shard.createScheduledJob(job)
            return try ServiceJSON.response(ScheduledJobDocument.response(created, statistics: DeviceJobStatistics()))
        }
        routes.get("jobs/v2/:id") { request, context -> Response in
            try authenticator.authorize(request, permission: .registryRead)
            let (job, statistics) = try await shard.scheduledJob(try context.decodedParameter("id"))
            return try ServiceJSON.response(ScheduledJobDocument.response(job, statistics: statistics))
        }
        routes.post("jobs/v2/:id/cancel") { request, context -> Response in
            try authenticator.authorize(request, permission: .registryWrite)
            let (job, statistics) = try await shard.cancelScheduledJob(try context.decodedParameter("id"))
            return try ServiceJSON.response(ScheduledJobDocument.response(job, statistics: statistics))
        }
    }

    /// The offset a job-query continuation token holds.
    private static func jobQueryOffset(_ token: String?) throws(ServiceError) -> Int {
        guard let token, !token.isEmpty else { return 0 }
        guard let data = Data(base64Encoded: token), let offset = Int(String(decoding: data, as: UTF8.self)), offset >= 0 else {
            throw ServiceError.badRequest("x-ms-continuation is not a continuation token this hub issued")
        }
        return offset
    }
}
