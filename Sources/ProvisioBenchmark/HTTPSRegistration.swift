import Foundation
import NIOHTTP1

/// The DPS device REST API, as the Azure SDK's HTTP transport uses it: `PUT …/register`, then poll
/// `GET …/operations/{id}` until `assigned` — polled at once, with no retry-after wait.
enum HTTPSRegistration {
    static let apiVersion = "2019-03-31"

    /// Registers `registrationId` over `connection`; `authorization` is the SAS token, nil for X.509 devices.
    static func register(over connection: HTTPSConnection, idScope: String, registrationId: String,
                         authorization: String?, startedAt: ContinuousClock.Instant? = nil) async throws -> RegistrationTiming {
        var headers: [(String, String)] = [("Accept", "application/json")]
        if let authorization { headers.append(("Authorization", authorization)) }
        let base = "/\(idScope)/registrations/\(registrationId)"
        var throttled = 0
        while true {
            let start = ContinuousClock.now
            let reply = try await connection.send(.PUT, "\(base)/register?api-version=\(apiVersion)", headers: headers,
                                                  json: #"{"registrationId":"\#(registrationId)"}"#)
            if reply.status == 429 {
                throttled += 1
                try await Task.sleep(for: .seconds(Int(reply.headers.first(name: "Retry-After") ?? "") ?? 1))
                continue
            }
            guard reply.status == 202 || reply.status == 200 else {
                throw BenchmarkError("register answered HTTP \(reply.status): \(reply.text.prefix(200))")
            }
            var status = try reply.decode(RegistrationStatusBody.self)
            var polls = 0
            while status.status == "assigning" {
                guard let operationId = status.operationId else { throw BenchmarkError("202 register reply without operationId") }
                if polls >= 3 { try await Task.sleep(for: .milliseconds(50)) }
                polls += 1
                let poll = try await connection.send(.GET, "\(base)/operations/\(operationId)?api-version=\(apiVersion)", headers: headers)
                guard poll.status == 200 || poll.status == 202 else {
                    throw BenchmarkError("operation status answered HTTP \(poll.status): \(poll.text.prefix(200))")
                }
                status = try poll.decode(RegistrationStatusBody.self)
            }
            let end = ContinuousClock.now
            return try timing(status, registrationId: registrationId, start: start, end: end, deviceStart: startedAt ?? start,
                              throttled: throttled)
        }
    }

    /// Checks the final status is `assigned` and builds the timing.
    static func timing(_ status: RegistrationStatusBody, registrationId: String, start: ContinuousClock.Instant,
                       end: ContinuousClock.Instant, deviceStart: ContinuousClock.Instant, throttled: Int) throws -> RegistrationTiming {
        guard status.status == "assigned", let state = status.registrationState, let hub = state.assignedHub else {
            let reason = status.registrationState?.errorMessage ?? "status \(status.status ?? "?")"
            throw BenchmarkError("\(registrationId) was not assigned: \(reason)")
        }
        return RegistrationTiming(registerToAssigned: end - start, deviceTotal: end - deviceStart, throttled: throttled,
                                  assignedHub: hub, deviceId: state.deviceId ?? registrationId)
    }
}
