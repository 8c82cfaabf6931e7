import MimirCore
import MimirScaling

/// How the scaler works: the backend, its pace, and what every worker it starts is told.
public struct ScalerSettings: Sendable {
    public enum BackendKind: String, Sendable, CaseIterable {
        case local, kubernetes, none
    }

    public var backend: BackendKind = .local
    public var interval: Duration = .seconds(1)
    /// How long a started worker may sit idle before it asks to retire.
    public var workerIdleTimeout: Duration = .seconds(60)
    /// Local backend: a plugin directory that becomes the image `local` (declared from its plugins
    /// at start), and where workers' logs go.
    public var localPluginDirectory = ""
    /// Jobs each worker of the image `local` runs at once.
    public var localWorkerSlots = 2
    public var localLogDirectory = "worker-logs"
    /// Local backend: the `mimir-worker` executable; empty means the one next to the orchestrator.
    public var workerExecutable = ""
    /// The URL workers reach the orchestrator at; empty means http://127.0.0.1:<port>.
    public var advertisedURL = ""
    public var kubernetes = KubernetesSettings()

    /// The Kubernetes backend: where the API server is (in a pod, its service account; else
    /// `server` with `tokenFile` and `caFile`, else the kubeconfig) and what goes into each Job.
    public struct KubernetesSettings: Sendable {
        public var namespace = ""
        public var server = ""
        public var tokenFile = ""
        public var caFile = ""
        /// Labels this orchestrator's Jobs, so several can share a namespace.
        public var orchestratorName = "mimir"
        /// `name/key` of the Secret holding the workers' REDIS_URL.
        public var redisSecret = "mimir-redis/url"
        public var serviceAccount = ""
        public var imagePullSecrets: [String] = []
        public var jobTTLSeconds = 600
        public var activeDeadlineSeconds = 86_400
        /// The PersistentVolumeClaim of the project storage, mounted into every worker at /data.
        public var dataVolumeClaim = ""
        /// `name/key` of the Secret holding the worker credential (MIMIR_WORKER_TOKEN); none when empty.
        public var workerTokenSecret = ""
        /// Always, IfNotPresent or Never; empty leaves Kubernetes' default (Always for `latest`).
        public var imagePullPolicy = ""
        /// Worker pods only go to nodes with these labels (GPU nodes, a node pool).
        public var nodeSelector: [String: String] = [:]
        /// Pod tolerations as Kubernetes writes them, e.g. for tainted GPU nodes.
        public var tolerations: [JSONValue] = []

        public init() {}
    }

    public init() {}
}
