import Dispatch
import HTTPTypes
import Hummingbird
import Metrics
import Synchronization

/// Per-request metrics: the ones Hummingbird's `MetricsMiddleware` records, under the same names
/// and labels (`hb_requests`, `hb_request_errors`, `http_server_request_duration`,
/// `http_server_active_requests`), without slowing every response down.
///
/// `MetricsMiddleware` times a request to the end of its body's write by wrapping the body in a
/// closure. That turns off Hummingbird's fast path for a complete body (head, body and end in one
/// write): every answer became two system calls and a closure, which cost `GET /health` 15–20 %
/// of its requests per second. Here a response whose length is known is counted when its handler
/// returns (what is left is handing its bytes to the socket); only a streamed one (no length: the
/// event stream) is timed to its end. Failed requests are timed too.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    private let cache = RequestMetricsCache()

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let start = DispatchTime.now().uptimeNanoseconds
        let active = cache.active(request.method)
        active.increment()
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
            let metrics = cache.endpoint(context.endpointPath ?? "NotFound", request.method, status)
            metrics.requests.increment()
            metrics.errors.increment()
            metrics.duration.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - start))
            active.decrement()
            throw error
        }
        let metrics = cache.endpoint(context.endpointPath ?? "Unknown", request.method, response.status)
        let finish: @Sendable () -> Void = {
            metrics.requests.increment()
            metrics.duration.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - start))
            active.decrement()
        }
        if response.body.contentLength == nil {
            let body = response.body
            response.body = ResponseBody { writer in
                defer { finish() }
                try await body.write(writer)
            }
        } else {
            finish()
        }
        return response
    }
}

/// The metric objects per method and per route, method and status, made once each: asking the
/// factory on every request costs a lock and hashing the labels there.
final class RequestMetricsCache: Sendable {
    struct Endpoint: Sendable {
        let requests: Counter
        let errors: Counter
        let duration: Timer
    }

    private struct EndpointKey: Hashable {
        let route: String
        let method: HTTPRequest.Method
        let status: Int
    }

    private let endpoints = Mutex<[EndpointKey: Endpoint]>([:])
    private let methods = Mutex<[HTTPRequest.Method: Meter]>([:])

    func active(_ method: HTTPRequest.Method) -> Meter {
        methods.withLock { methods in
            if let meter = methods[method] { return meter }
            let meter = Meter(
                label: "http.server.active_requests", dimensions: [("http.request.method", method.rawValue)])
            methods[method] = meter
            return meter
        }
    }

    func endpoint(_ route: String, _ method: HTTPRequest.Method, _ status: HTTPResponse.Status) -> Endpoint {
        let key = EndpointKey(route: route, method: method, status: status.code)
        return endpoints.withLock { endpoints in
            if let endpoint = endpoints[key] { return endpoint }
            let labels = [
                ("http.route", route), ("http.request.method", method.rawValue),
                ("http.response.status_code", String(status.code)),
            ]
            let endpoint = Endpoint(
                requests: Counter(label: "hb.requests", dimensions: labels),
                errors: Counter(
                    label: "hb.request.errors",
                    dimensions: [
                        ("http.route", route), ("http.request.method", method.rawValue),
                        ("error.type", String(status.code)),
                    ]),
                duration: Timer(
                    label: "http.server.request.duration", dimensions: labels, preferredDisplayUnit: .seconds))
            endpoints[key] = endpoint
            return endpoint
        }
    }
}
