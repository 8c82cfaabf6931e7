/// What a token may do. Roles are fixed sets of permissions rather than free-form scopes, so an
/// operator can tell at a glance what a leaked token exposes.
public enum Role: String, Sendable, CaseIterable {
    /// Everything, including the audit log.
    case admin
    /// Reads everything; submits, cancels and retries jobs.
    case submitter
    /// Reads everything; changes nothing.
    case viewer
    /// The worker credential: registers, heartbeats, deregisters and reports on jobs it holds;
    /// reads nothing and cannot submit or cancel.
    case worker

    public func allows(_ permission: Permission) -> Bool {
        switch (self, permission) {
        case (.admin, _): true
        case (.submitter, .read), (.submitter, .submit), (.submitter, .operate): true
        case (.viewer, .read): true
        case (.worker, .report): true
        default: false
        }
    }

    /// The roles holding `permission`, for error messages.
    public static func holding(_ permission: Permission) -> [Role] {
        allCases.filter { $0.allows(permission) }
    }
}

/// What an endpoint needs.
public enum Permission: String, Sendable {
    /// Any `GET` of the API: jobs, logs, workers, capabilities, scaling, twins, events.
    case read
    /// `POST /api/jobs`.
    case submit
    /// Cancel and retry.
    case operate
    /// A worker's registration, heartbeats and job reports.
    case report
    /// The audit log.
    case administer

    /// "submit jobs", for "token x (role viewer) may not submit jobs".
    var activity: String {
        switch self {
        case .read: "read the API"
        case .submit: "submit jobs"
        case .operate: "cancel or retry jobs"
        case .report: "act as a worker (register, heartbeat, report)"
        case .administer: "read the audit log"
        }
    }
}
