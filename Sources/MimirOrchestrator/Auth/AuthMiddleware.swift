import HTTPTypes
import Hummingbird
import MimirCore

/// Authenticates every request with its bearer token, checks the endpoint's requirement
/// (`AccessPolicy`) against the token's role, applies the caller's rate limit, and records the
/// caller in the context for the handlers and the audit log.
///
/// 401 when no valid token is presented (with `WWW-Authenticate`), 403 when the token's role
/// lacks the permission, 429 with `Retry-After` over the rate limit. Tokens are never logged.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = OrchestratorRequestContext

    let store: TokenStore?
    let metricsOpen: Bool
    let limiter: RateLimiter?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        var context = context
        let requirement = AccessPolicy.requirement(
            method: request.method, endpoint: context.endpointPath ?? "NotFound", path: request.uri.path,
            metricsOpen: metricsOpen)
        guard case .permission(let permission) = requirement else { return try await next(request, context) }
        let caller: Caller
        if let store {
            caller = try Self.authenticate(request, endpoint: context.endpointPath, store: store)
            guard caller.role.allows(permission) else {
                throw APIError(
                    status: .forbidden, code: "forbidden",
                    message: "token \"\(caller.name)\" (role \(caller.role.rawValue)) may not \(permission.activity): "
                        + "that needs the role \(Role.holding(permission).map(\.rawValue).joined(separator: " or "))",
                    extra: ["role": .string(caller.role.rawValue), "needs": .string(permission.rawValue)])
            }
        } else {
            caller = .anonymous
        }
        if let limiter, let wait = limiter.delay(for: caller.name) {
            let seconds = max(
                1, Int((Double(wait.components.seconds) + Double(wait.components.attoseconds) * 1e-18).rounded(.up)))
            throw APIError(
                status: .tooManyRequests, code: "rate_limited",
                message: "token \"\(caller.name)\" is over its rate limit of \(Self.format(limiter.rate)) requests "
                    + "per second (burst \(Self.format(limiter.burst))); retry after \(seconds) s",
                headers: [.retryAfter: "\(seconds)"])
        }
        context.caller = caller
        return try await next(request, context)
    }

    /// The event stream also takes the token as `?access_token=` (RFC 6750 §2.3): browsers'
    /// EventSource cannot send headers. Nowhere else, so tokens stay out of ordinary URLs.
    static let queryTokenEndpoints: Set<String> = ["/api/events"]

    /// Sent with every 401. Built once: an `HTTPFields` is a few allocations, and nearly every
    /// request is authenticated.
    static let challenge: HTTPFields = [.wwwAuthenticate: #"Bearer realm="mimir""#]

    static func authenticate(_ request: Request, endpoint: String?, store: TokenStore) throws(APIError) -> Caller {
        let challenge = Self.challenge
        if request.headers[.authorization] == nil, let endpoint, queryTokenEndpoints.contains(endpoint),
            let token = request.uri.queryParameters.get("access_token")
        {
            guard let caller = store.caller(presenting: Substring(token)) else {
                throw APIError(
                    status: .unauthorized, code: "invalid_token",
                    message: "the access_token is not one this orchestrator accepts", headers: challenge)
            }
            return caller
        }
        guard let header = request.headers[.authorization] else {
            throw APIError(
                status: .unauthorized, code: "unauthenticated",
                message: "this endpoint needs a token: send Authorization: Bearer <token>", headers: challenge)
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].utf8.count == 6,
            zip(parts[0].utf8, "bearer".utf8).allSatisfy({ $0 | 0x20 == $1 })
        else {
            throw APIError(
                status: .unauthorized, code: "unauthenticated",
                message: "the Authorization header must be \"Bearer <token>\"", headers: challenge)
        }
        guard let caller = store.caller(presenting: parts[1].trimmingWhitespace()) else {
            throw APIError(
                status: .unauthorized, code: "invalid_token",
                message: "the bearer token is not one this orchestrator accepts", headers: challenge)
        }
        return caller
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
