/// Who may call the API (docs/operations.md, "Authentication").
public struct AuthSettings: Sendable {
    /// Off only when asked for explicitly (`AUTH=off`): then every caller is an anonymous admin.
    public var enabled = true
    /// `role:name:secret` lines, e.g. a mounted Secret (`API_TOKENS_FILE`).
    public var tokensFile = ""
    /// The same text in a variable (`API_TOKENS`), added to the file's tokens.
    public var tokensText = ""
    /// The worker credential (`MIMIR_WORKER_TOKEN`): registered as the token named `workers`.
    public var workerToken = ""
    /// `/metrics` without a token (Prometheus scrapes inside the cluster), unless `METRICS_AUTH=token`.
    public var metricsOpen = true
    /// Requests per second per token, and the burst above it; 0 switches rate limiting off.
    public var rateLimitPerSecond = 1000.0
    public var rateLimitBurst = 2000.0

    public init() {}

    var problems: [String] {
        var problems: [String] = []
        if rateLimitPerSecond < 0 || (rateLimitPerSecond > 0 && rateLimitPerSecond < 0.001) {
            problems.append("RATE_LIMIT_PER_SECOND must be 0 (no limit) or at least 0.001")
        }
        if rateLimitPerSecond > 0, rateLimitBurst < 1 { problems.append("RATE_LIMIT_BURST must be ≥ 1") }
        return problems
    }
}
