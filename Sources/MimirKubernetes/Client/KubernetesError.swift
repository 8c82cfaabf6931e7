import MimirHTTPClient

/// A failed API request: what was asked (method, path), what the API server answered (HTTP status,
/// its `Status.reason` and `Status.message`, kept verbatim because they say exactly which verb,
/// resource and namespace RBAC refused) and, where one helps, what to do about it.
public struct KubernetesError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Hashable {
        /// No HTTP response: connection, TLS or timeout failure.
        case transport(HTTPClientError.Kind)
        /// The API server answered with a non-2xx status.
        case status
        /// A 2xx response that is not the JSON object expected.
        case invalidResponse
        /// The token or certificate files could not be read.
        case configuration
    }

    public let kind: Kind
    public let method: HTTPMethod
    /// The request path without the query (`/apis/batch/v1/namespaces/mimir/jobs`).
    public let path: String
    /// The HTTP status, `nil` when no response arrived.
    public let status: Int?
    /// `Status.reason` (`Forbidden`, `NotFound`, `AlreadyExists`, `Invalid`, ...).
    public let reason: String?
    /// `Status.message` verbatim, or what went wrong when there was no Status.
    public let message: String
    public let hint: String?

    public init(
        kind: Kind, method: HTTPMethod, path: String, status: Int? = nil, reason: String? = nil, message: String,
        hint: String? = nil
    ) {
        self.kind = kind
        self.method = method
        self.path = path
        self.status = status
        self.reason = reason
        self.message = message
        self.hint = hint
    }

    public var description: String {
        var text = "\(method.rawValue) \(path): "
        if let status { text += "HTTP \(status)\(reason.map { " \($0)" } ?? ""): " }
        text += message
        if let hint { text += " (\(hint))" }
        return text
    }

    public var isNotFound: Bool { status == 404 }
    public var isAlreadyExists: Bool { status == 409 && reason == "AlreadyExists" }
    public var isForbidden: Bool { status == 403 }

    /// Worth trying again later: no response, or the API server overloaded or restarting.
    public var isTransient: Bool {
        switch kind {
        case .transport(let kind): kind == .connection || kind == .timeout
        case .status: status == 429 || status.map { $0 >= 500 } == true
        case .invalidResponse, .configuration: false
        }
    }
}

extension KubernetesError {
    /// What to do about the statuses a misconfigured deployment meets first.
    static func hint(status: Int) -> String? {
        switch status {
        case 401:
            "the API server did not accept the credentials: check the token file or kubeconfig user"
        case 403:
            "the orchestrator's service account needs the Role mimir-orchestrator in k8s/base/orchestrator-rbac.yaml "
                + "(create/get/list/watch/delete jobs; get/list/watch pods and events), bound in the namespace it uses"
        default:
            nil
        }
    }
}
