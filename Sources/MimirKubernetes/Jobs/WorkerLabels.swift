/// The labels and annotations that mark a Job (and its pods) as a Mimir worker, and the selector
/// that finds them again: the backend keeps no list of its own, so an orchestrator that restarts
/// finds its workers by these.
public enum WorkerLabels {
    public static let name = "app.kubernetes.io/name"
    public static let instance = "app.kubernetes.io/instance"
    public static let component = "app.kubernetes.io/component"
    public static let partOf = "app.kubernetes.io/part-of"
    public static let managedBy = "app.kubernetes.io/managed-by"
    public static let image = "mimir-aip.io/image"
    public static let orchestrator = "mimir-aip.io/orchestrator"
    /// The operators' own convention (`kubectl logs -l app=mimir-worker`), kept beside the
    /// recommended labels.
    public static let app = "app"

    /// Annotations hold what labels cannot: the full image reference and the exact worker id.
    public static let imageAnnotation = "mimir-aip.io/image"
    public static let workerIDAnnotation = "mimir-aip.io/worker-id"

    public static let workerName = "mimir-worker"
    public static let managerName = "mimir-orchestrator"

    /// The labels of one worker's Job and pod.
    public static func labels(workerID: String, image: String, orchestrator: String) -> [String: String] {
        [
            name: workerName,
            app: workerName,
            instance: KubernetesNames.labelValue(workerID),
            component: "worker",
            partOf: "mimir-aip",
            managedBy: managerName,
            self.image: KubernetesNames.labelValue(image),
            self.orchestrator: KubernetesNames.labelValue(orchestrator),
        ]
    }

    /// Every worker Job of `orchestrator`, whatever its image.
    public static func selector(orchestrator: String) -> String {
        "\(name)=\(workerName),\(managedBy)=\(managerName),\(self.orchestrator)=\(KubernetesNames.labelValue(orchestrator))"
    }
}
