import HTTPTypes
import Hummingbird

/// Answers 405 with `Allow` when a path exists with other methods (`DELETE /api/jobs` →
/// `Allow: GET, POST`), instead of the router's 404. Added after every route, so it only sees
/// requests no route matched.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Each route's path segments (`nil` for a `{parameter}`) and its methods.
    private let routes: [(segments: [String?], methods: [String])]

    init(routes: [Router<Context>.RouteDescription]) {
        var byPath: [String: (segments: [String?], methods: Set<String>)] = [:]
        for route in routes {
            let path = route.path.description
            let segments = path.split(separator: "/").map { $0.hasPrefix("{") ? nil : String($0) }
            byPath[path, default: (segments, [])].methods.insert(route.method.rawValue)
        }
        self.routes = byPath.values.map { ($0.segments, $0.methods.sorted()) }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let segments = request.uri.path.split(separator: "/").map(String.init)
        let allowed = routes.filter { route in
            route.segments.count == segments.count
                && zip(route.segments, segments).allSatisfy { pattern, segment in pattern == nil || pattern == segment }
        }.flatMap(\.methods)
        guard !allowed.isEmpty, !allowed.contains(request.method.rawValue) else {
            return try await next(request, context)
        }
        let list = Set(allowed).sorted().joined(separator: ", ")
        throw APIError(
            status: .methodNotAllowed, code: "method_not_allowed",
            message: "\(request.method) is not allowed on \(request.uri.path): use \(list)",
            headers: [.allow: list])
    }
}
