import MimirCore
import MimirHTTPClient

/// The few resources the worker backend touches: batch/v1 Jobs, and Pods and Events to explain
/// why a worker never started.
extension KubernetesClient {
    private func jobsPath(_ namespace: String?) -> String {
        "/apis/batch/v1/namespaces/\(QueryString.escape(namespace ?? self.namespace))/jobs"
    }

    /// Creates a Job and returns it as the API server stored it.
    @discardableResult
    public func createJob(_ job: JSONValue, namespace: String? = nil) async throws(KubernetesError) -> JSONValue {
        try await send(.post, jobsPath(namespace), body: job)
    }

    public func getJob(named name: String, namespace: String? = nil) async throws(KubernetesError) -> JSONValue {
        try await send(.get, "\(jobsPath(namespace))/\(QueryString.escape(name))")
    }

    public func listJobs(labelSelector: String, namespace: String? = nil) async throws(KubernetesError)
        -> [JSONValue]
    {
        try await list(jobsPath(namespace), query: [("labelSelector", labelSelector)])
    }

    /// Deletes a Job and, in the background, its pods (without a propagation policy batch/v1
    /// orphans them).
    public func deleteJob(named name: String, namespace: String? = nil) async throws(KubernetesError) {
        _ = try await send(
            .delete, "\(jobsPath(namespace))/\(QueryString.escape(name))",
            body: ["kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background"])
    }

    public func listPods(labelSelector: String, namespace: String? = nil) async throws(KubernetesError)
        -> [JSONValue]
    {
        let path = "/api/v1/namespaces/\(QueryString.escape(namespace ?? self.namespace))/pods"
        return try await list(path, query: [("labelSelector", labelSelector)])
    }

    /// Events in the namespace, optionally narrowed by a field selector
    /// (`involvedObject.name=mimir-worker-abc-x1y2z`).
    public func listEvents(fieldSelector: String? = nil, namespace: String? = nil) async throws(KubernetesError)
        -> [JSONValue]
    {
        let path = "/api/v1/namespaces/\(QueryString.escape(namespace ?? self.namespace))/events"
        return try await list(path, query: fieldSelector.map { [("fieldSelector", $0)] } ?? [])
    }

    /// All items of a list, following `metadata.continue` so a busy namespace never truncates it.
    public func list(_ path: String, query: [(String, String)] = [], pageSize: Int = 500)
        async throws(KubernetesError) -> [JSONValue]
    {
        var items: [JSONValue] = []
        var token: String?
        repeat {
            var pageQuery = query + [("limit", String(pageSize))]
            if let token { pageQuery.append(("continue", token)) }
            let page = try await send(.get, path, query: pageQuery)
            guard let pageItems = page["items"]?.arrayValue ?? (page["items"]?.isNull == true ? [] : nil) else {
                throw KubernetesError(
                    kind: .invalidResponse, method: .get, path: path, status: 200, message: "the list has no items")
            }
            items += pageItems
            token = page["metadata"]?["continue"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        } while token != nil
        return items
    }
}
