/// What the scaler knows of a worker image when it starts one: the catalog's declaration or its
/// workers' reports, reduced to what a backend needs to run it.
public struct WorkerImageProfile: Sendable, Hashable {
    /// The image name as the catalog knows it; for Kubernetes, the container image reference.
    public var image: String
    /// Jobs each worker runs at once.
    public var slots: Int
    public var gpus: Int
    /// Kubernetes quantities, `nil` when the image does not state them.
    public var cpu: String?
    public var memory: String?

    public init(image: String, slots: Int = 1, gpus: Int = 0, cpu: String? = nil, memory: String? = nil) {
        self.image = image
        self.slots = slots
        self.gpus = gpus
        self.cpu = cpu
        self.memory = memory
    }
}

/// One worker to start.
public struct WorkerLaunch: Sendable, Hashable {
    /// Unique; the worker registers and takes jobs under it (MIMIR_WORKER_ID).
    public var workerID: String
    public var profile: WorkerImageProfile
    /// The worker's environment: MIMIR_WORKER_ID, MIMIR_WORKER_IMAGE, MIMIR_WORKER_SLOTS,
    /// MIMIR_ORCHESTRATOR_URL, REDIS_NAMESPACE, MIMIR_WORKER_IDLE_TIMEOUT, ... (a backend adds
    /// what only it knows, such as REDIS_URL from a Kubernetes Secret).
    public var environment: [String: String]

    public init(workerID: String, profile: WorkerImageProfile, environment: [String: String]) {
        self.workerID = workerID
        self.profile = profile
        self.environment = environment
    }
}

/// A worker a backend started and that has not ended yet, whether or not it registered.
public struct BackendWorker: Sendable, Hashable {
    public var workerID: String
    public var image: String
    /// Milliseconds since the epoch.
    public var startedAt: Int64

    public init(workerID: String, image: String, startedAt: Int64) {
        self.workerID = workerID
        self.image = image
        self.startedAt = startedAt
    }
}

/// Something a backend noticed about a worker, for the scaling log and `/api/scaling`.
public struct BackendEvent: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        /// Ended by itself with success (idle timeout, drained).
        case exited
        /// Ended with a failure (non-zero exit, signal, a failed pod).
        case crashed
        /// Never got going (image pull error, unschedulable, cannot execute).
        case failedToStart = "failed_to_start"
    }

    public var kind: Kind
    public var workerID: String
    public var image: String
    public var message: String
    /// Milliseconds since the epoch.
    public var at: Int64
    /// The backend knows that nothing runs as this worker any more and nothing will again under its
    /// id (its process was reaped; its Job failed and every pod of it has ended). The jobs it held
    /// can go back to the queue at once instead of when their leases expire: no late report of
    /// it can race a new attempt. `false` when in doubt (a pod still terminating).
    public var workerGone: Bool

    public init(kind: Kind, workerID: String, image: String, message: String, at: Int64, workerGone: Bool = false) {
        self.kind = kind
        self.workerID = workerID
        self.image = image
        self.message = message
        self.at = at
        self.workerGone = workerGone
    }
}

/// Starts workers for the scaler and tells it which of them are still there. Backends never stop
/// a worker to scale in: workers leave by themselves when idle (MIMIR_WORKER_IDLE_TIMEOUT), so a
/// busy one is never killed.
public protocol WorkerBackend: Sendable {
    /// `local`, `kubernetes`, ...
    var name: String { get }
    /// Workers started by this backend (this orchestrator or, for Kubernetes, any with its labels)
    /// that have not ended.
    func inventory() async throws -> [BackendWorker]
    func launch(_ launch: WorkerLaunch) async throws
    /// What happened since the last call, oldest first.
    func drainEvents() async -> [BackendEvent]
    /// Has `notify` called, from any thread, as soon as there is news for `inventory` and
    /// `drainEvents` (a worker ended), so the scaler looks now instead of at its next pass: a dead
    /// worker's jobs go back to the queue and its replacement starts at once. A backend that
    /// only notices when asked keeps the default, which never calls it.
    func notifyOnEvents(_ notify: @escaping @Sendable () -> Void)
    /// Stops tracking (local processes are left to finish their work and exit when idle).
    func shutdown() async
}

extension WorkerBackend {
    public func notifyOnEvents(_ notify: @escaping @Sendable () -> Void) {}
}
