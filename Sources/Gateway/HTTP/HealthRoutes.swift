import Hummingbird

/// Routes every listener serves: `GET /health` for load balancers and operators.
public enum HealthRoutes {
    /// Adds the routes; `endpoint` names the listener (`dps`, `hub-1`).
    public static func add(to router: Router<ProvisioRequestContext>, endpoint: String) {
        router.get("health") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok","endpoint":"\#(endpoint)"}"#)))
        }
    }
}
