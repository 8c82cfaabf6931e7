import MimirCore
import MimirRedis

/// Why a twin job or read failed. The cases tell the plugin which job status to choose: bad
/// input fails for good, an unavailable Redis or a lost race may succeed when run again.
public enum TwinError: Error, Sendable, CustomStringConvertible {
    /// The job's parameters (including its schema and entities) are wrong; every problem has its path.
    case invalidParameters([PathProblem])
    /// `on_invalid: reject` and some observations are invalid: the batch was not applied.
    case invalidObservations(twinID: String, problems: [ObservationProblem])
    case notFound(twinID: String)
    case entityNotFound(twinID: String, entity: String)
    /// `define` of a twin that exists.
    case alreadyExists(twinID: String, version: Int64)
    /// Other updates of the twin kept committing first; every attempt recomputed and lost.
    case conflict(twinID: String, attempts: Int)
    /// Redis is unreachable or busy: try again later.
    case unavailable(RedisError)
    /// Redis holds or answered something the twin code cannot read.
    case corrupt(String)
    case cancelled

    public var description: String {
        switch self {
        case .invalidParameters(let problems):
            return "invalid twin job parameters:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
        case .invalidObservations(let twinID, let problems):
            let shown = problems.prefix(50).map { "  - \($0)" }.joined(separator: "\n")
            let more = problems.count > 50 ? "\n  … and \(problems.count - 50) more" : ""
            return "twin \(twinID): \(problems.count) invalid observation(s), so the batch was rejected "
                + "(on_invalid: reject; use \"skip\" to apply the valid ones):\n\(shown)\(more)"
        case .notFound(let twinID):
            return "twin \(twinID) does not exist (create it with operation \"define\")"
        case .entityNotFound(let twinID, let entity):
            return "twin \(twinID) has no entity \(entity)"
        case .alreadyExists(let twinID, let version):
            return "twin \(twinID) already exists (version \(version)); change it with operation \"update\""
        case .conflict(let twinID, let attempts):
            return "twin \(twinID) kept changing under this update: \(attempts) attempts each found a newer "
                + "version when committing; nothing was committed"
        case .unavailable(let error):
            return "the twin's Redis is unavailable: \(error)"
        case .corrupt(let detail):
            return "unexpected twin data in Redis: \(detail)"
        case .cancelled:
            return "cancelled before the update was committed"
        }
    }

    /// The job's input is at fault: running it again will not help.
    public var isInvalidInput: Bool {
        switch self {
        case .invalidParameters, .invalidObservations, .notFound, .entityNotFound, .alreadyExists: true
        default: false
        }
    }

    /// A later attempt may succeed.
    public var isRetryable: Bool {
        switch self {
        case .unavailable, .conflict: true
        default: false
        }
    }

    /// A machine-readable report for the job's result, for the failures that have one.
    public var report: JSONValue? {
        switch self {
        case .invalidObservations(let twinID, let problems):
            ["twin_id": .string(twinID), "rejected": .array(problems.map(\.json)), "committed": false]
        case .invalidParameters(let problems):
            ["problems": .array(problems.map { ["path": .string($0.path), "message": .string($0.message)] })]
        default:
            nil
        }
    }

    static func from(_ error: RedisError, twinID: String) -> TwinError {
        guard error.kind == .server, !error.isPassingRefusal else { return .unavailable(error) }
        let words = error.reason.split(separator: " ").map(String.init)
        switch words.first {
        case "NOTFOUND": return .notFound(twinID: twinID)
        case "EXISTS": return .alreadyExists(twinID: twinID, version: words.count > 1 ? Int64(words[1]) ?? 0 : 0)
        default: return .corrupt("\(error)")
        }
    }
}
