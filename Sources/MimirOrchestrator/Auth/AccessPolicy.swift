import HTTPTypes

/// What each endpoint needs, by method and route template (as Hummingbird matched it). Kept in
/// one table so the whole API's access rules can be read, and tested, in one place.
enum AccessPolicy {
    enum Requirement: Equatable {
        /// No token needed.
        case open
        /// A valid token holding the permission.
        case permission(Permission)
    }

    static func requirement(method: HTTPRequest.Method, endpoint: String, path: String, metricsOpen: Bool)
        -> Requirement
    {
        switch (method, endpoint) {
        case (.get, "/health"), (.get, "/ready"), (.head, "/health"), (.head, "/ready"):
            return .open
        case (.get, "/metrics"):
            return metricsOpen ? .open : .permission(.read)
        case (.post, "/api/jobs"), (.post, "/api/job-batches"):
            return .permission(.submit)
        case (.post, "/api/jobs/{id}/cancel"), (.post, "/api/jobs/{id}/retry"):
            return .permission(.operate)
        case (.post, "/api/jobs/{id}"), (.post, "/api/workers"), (.post, "/api/workers/{id}/heartbeat"),
            (.delete, "/api/workers/{id}"):
            return .permission(.report)
        case (.get, "/api/audit"):
            return .permission(.administer)
        case (_, "NotFound"):
            // Unmatched: the console's static files are public (they hold no data and must load
            // to ask for a token); anything under /api needs a token before it learns even that
            // the path does not exist.
            return path == "/api" || path.hasPrefix("/api/") ? .permission(.read) : .open
        default:
            return .permission(.read)
        }
    }
}
