import MimirCore

/// How the orchestrator's worker Jobs look beyond what each launch says: deployment choices made
/// once (Secrets, service account, scheduling constraints, deadlines).
public struct KubernetesJobSettings: Sendable, Hashable {
    /// Tells this orchestrator's Jobs from another's in the same namespace (label
    /// `mimir-aip.io/orchestrator`); inventory and events only consider Jobs carrying it.
    public var orchestrator: String
    public var command: [String]
    /// `REDIS_URL` comes from this Secret key, so the password never sits in a Job spec.
    public var redisSecretName: String
    public var redisSecretKey: String
    /// A safety net for a worker that never goes idle; workers normally leave on their own.
    public var activeDeadlineSeconds: Int?
    /// Lets the TTL-after-finished controller delete finished Jobs (and their pods).
    public var ttlSecondsAfterFinished: Int?
    public var serviceAccountName: String?
    public var imagePullSecrets: [String]
    public var nodeSelector: [String: String]
    /// Pod tolerations as Kubernetes writes them (`{"key": ..., "operator": ..., "effect": ...}`).
    public var tolerations: [JSONValue]
    /// Set memory limits equal to requests (CPU is requested but not capped, so workers are not
    /// throttled below what the node has spare).
    public var limitCPU: Bool
    public var imagePullPolicy: String?
    public var containerName: String
    /// The project storage: a PersistentVolumeClaim mounted at `dataMountPath` and given to the
    /// worker as MIMIR_DATA_DIR; none when `nil`.
    public var dataVolumeClaim: String?
    public var dataMountPath = "/data"
    /// The Secret key holding the worker credential for the orchestrator's API, given to the
    /// worker as MIMIR_WORKER_TOKEN; none when `nil`.
    public var workerTokenSecret: SecretKey?

    public struct SecretKey: Sendable, Hashable {
        public var name: String
        public var key: String

        public init(name: String, key: String) {
            self.name = name
            self.key = key
        }
    }

    public init(
        orchestrator: String = "mimir", command: [String] = ["mimir-worker", "serve"],
        redisSecretName: String = "mimir-redis", redisSecretKey: String = "url",
        activeDeadlineSeconds: Int? = 86_400, ttlSecondsAfterFinished: Int? = 600, serviceAccountName: String? = nil,
        imagePullSecrets: [String] = [], nodeSelector: [String: String] = [:], tolerations: [JSONValue] = [],
        limitCPU: Bool = false, imagePullPolicy: String? = nil, containerName: String = "worker"
    ) {
        self.orchestrator = orchestrator
        self.command = command
        self.redisSecretName = redisSecretName
        self.redisSecretKey = redisSecretKey
        self.activeDeadlineSeconds = activeDeadlineSeconds
        self.ttlSecondsAfterFinished = ttlSecondsAfterFinished
        self.serviceAccountName = serviceAccountName
        self.imagePullSecrets = imagePullSecrets
        self.nodeSelector = nodeSelector
        self.tolerations = tolerations
        self.limitCPU = limitCPU
        self.imagePullPolicy = imagePullPolicy
        self.containerName = containerName
    }
}
